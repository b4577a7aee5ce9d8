# SPDX-License-Identifier: MIT
# What "cmake --install" lays out besides the programs (TernProgram.cmake,
# tools/CMakeLists.txt put those in TERN_DAEMON_DIR and TERN_COMMAND_DIR):
# the manual pages, conf/ as the default configuration and as samples, the
# permissions manifest, and the systemd unit, sysusers.d and tmpfiles.d
# files made from packaging/*.in. Every destination is absolute: it is
# what the programs were built to find.

# tern_path(NAME DEFAULT DOC): the cache variable NAME, DEFAULT unless set.
# A value that is still the default made from an earlier prefix follows
# the prefix when it changes (cmake -DCMAKE_INSTALL_PREFIX=/usr on an
# existing tree); one set by hand stays.
function(tern_path name default doc)
	if(DEFINED CACHE{${name}} AND DEFINED CACHE{TERN_DEFAULT_${name}}
	    AND "$CACHE{${name}}" STREQUAL "$CACHE{TERN_DEFAULT_${name}}")
		set(${name} "${default}" CACHE PATH "${doc}" FORCE)
	else()
		set(${name} "${default}" CACHE PATH "${doc}")
	endif()
	set(TERN_DEFAULT_${name} "${default}" CACHE INTERNAL "")
endfunction()

# Where Tern is installed and what its programs take by default: each is
# a cache variable (-DTERN_DAEMON_DIR=...), compiled in as the default of
# its main.cf parameter (ternconf -d shows them) and used by the install
# rules as it is. Set the prefix when configuring
# (-DCMAKE_INSTALL_PREFIX=/usr for a system package): an install with
# another --prefix cannot move what the programs were built to find.
tern_path(TERN_CONFIG_DIR "/etc/tern"
	"main.cf and master.cf (config_directory)")
tern_path(TERN_QUEUE_DIR "/var/spool/tern"
	"the mail queue (queue_directory)")
tern_path(TERN_DAEMON_DIR "${CMAKE_INSTALL_FULL_LIBEXECDIR}/tern"
	"the daemons master runs (daemon_directory)")
tern_path(TERN_COMMAND_DIR "${CMAKE_INSTALL_FULL_SBINDIR}"
	"tern, ternconf, ternmap, ternqueue (command_directory)")
tern_path(TERN_MAN_DIR "${CMAKE_INSTALL_FULL_MANDIR}"
	"the manual pages (manpage_directory)")
tern_path(TERN_DATA_DIR "${CMAKE_INSTALL_FULL_DATADIR}/tern"
	"read-only data: the permissions manifest (meta_directory)")
tern_path(TERN_SAMPLE_DIR "${CMAKE_INSTALL_FULL_DATADIR}/tern/examples"
	"the main.cf and master.cf templates as shipped (sample_directory)")
foreach(d CONFIG QUEUE DAEMON COMMAND MAN DATA SAMPLE)
	if(NOT IS_ABSOLUTE "${TERN_${d}_DIR}")
		message(FATAL_ERROR "TERN_${d}_DIR must be an absolute path")
	endif()
endforeach()
# The paths go into one generated header that only lib/conf (and its
# tests) include: changing one rebuilds two files, not the tree.
configure_file(cmake/tern_paths.h.in
	${PROJECT_BINARY_DIR}/gen/conf/tern_paths.h @ONLY)

tern_path(TERN_SYSTEMD_UNIT_DIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system"
	"where tern.service is installed")
tern_path(TERN_SYSUSERS_DIR "${CMAKE_INSTALL_PREFIX}/lib/sysusers.d"
	"where the sysusers.d snippet (the users of main.cf's defaults) goes")
tern_path(TERN_TMPFILES_DIR "${CMAKE_INSTALL_PREFIX}/lib/tmpfiles.d"
	"where the tmpfiles.d snippet (the queue directory) goes")

# tern_install_link(LINK TARGET): install the symbolic link LINK (an
# absolute path) pointing to TARGET (absolute): relative when both lie in
# the same top-level directory, absolute otherwise (Debian policy 10.5).
function(tern_install_link link target)
	get_filename_component(dir ${link} DIRECTORY)
	get_filename_component(name ${link} NAME)
	string(REGEX MATCH "^/[^/]*" top_link "${link}")
	string(REGEX MATCH "^/[^/]*" top_target "${target}")
	if(top_link STREQUAL top_target)
		file(RELATIVE_PATH to ${dir} ${target})
	else()
		set(to ${target})
	endif()
	# Made at configure time and installed as a link (file(INSTALL)
	# keeps links), so the install manifest and CPack both see it.
	string(MD5 key "${link}")
	set(staged ${PROJECT_BINARY_DIR}/links/${key}/${name})
	file(MAKE_DIRECTORY ${PROJECT_BINARY_DIR}/links/${key})
	file(CREATE_LINK ${to} ${staged} SYMBOLIC)
	install(FILES ${staged} DESTINATION ${dir})
endfunction()

if(TERN_FUZZ)
	return()
endif()

# "--prefix" at install time cannot move the paths compiled in: say so.
install(CODE "
	if(NOT CMAKE_INSTALL_PREFIX STREQUAL \"${CMAKE_INSTALL_PREFIX}\")
		message(WARNING \"Tern was configured for the prefix ${CMAKE_INSTALL_PREFIX}; \"
			\"its programs look for their files there and are installed there \"
			\"(--prefix \${CMAKE_INSTALL_PREFIX} moves nothing): configure with \"
			\"-DCMAKE_INSTALL_PREFIX=\${CMAKE_INSTALL_PREFIX} instead\")
	endif()
")
install(DIRECTORY man/ DESTINATION ${TERN_MAN_DIR})
install(FILES conf/main.cf conf/master.cf DESTINATION ${TERN_SAMPLE_DIR})
install(FILES packaging/permissions DESTINATION ${TERN_DATA_DIR})
# main.cf and master.cf are the default configuration: installed when the
# configuration directory has none (a package ships them as conffiles);
# an install over a configured system keeps the administrator's files.
install(CODE "
	foreach(f main.cf master.cf)
		if(EXISTS \"\$ENV{DESTDIR}${TERN_CONFIG_DIR}/\${f}\")
			message(STATUS \"Keeping: \$ENV{DESTDIR}${TERN_CONFIG_DIR}/\${f} (the new one is in ${TERN_SAMPLE_DIR})\")
		else()
			file(INSTALL DESTINATION \"${TERN_CONFIG_DIR}\" TYPE FILE
				PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
				FILES \"${PROJECT_SOURCE_DIR}/conf/\${f}\")
		endif()
	endforeach()
")

foreach(f tern.service tern.sysusers tern.tmpfiles)
	configure_file(packaging/${f}.in ${PROJECT_BINARY_DIR}/packaging/${f} @ONLY)
endforeach()
install(FILES ${PROJECT_BINARY_DIR}/packaging/tern.service
	DESTINATION ${TERN_SYSTEMD_UNIT_DIR})
install(FILES ${PROJECT_BINARY_DIR}/packaging/tern.sysusers
	DESTINATION ${TERN_SYSUSERS_DIR} RENAME tern.conf)
install(FILES ${PROJECT_BINARY_DIR}/packaging/tern.tmpfiles
	DESTINATION ${TERN_TMPFILES_DIR} RENAME tern.conf)
