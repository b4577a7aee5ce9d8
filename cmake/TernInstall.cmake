# SPDX-License-Identifier: MIT
# What "cmake --install" lays out besides the programs (TernProgram.cmake,
# tools/CMakeLists.txt put those in TERN_DAEMON_DIR and TERN_COMMAND_DIR):
# the manual pages, conf/ as the default configuration and as samples, the
# permissions manifest, and the systemd unit, sysusers.d and tmpfiles.d
# files made from packaging/*.in. Every destination is absolute: it is
# what the programs were built to find (see the top CMakeLists.txt).
set(TERN_SYSTEMD_UNIT_DIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system" CACHE PATH
	"where tern.service is installed")
set(TERN_SYSUSERS_DIR "${CMAKE_INSTALL_PREFIX}/lib/sysusers.d" CACHE PATH
	"where the sysusers.d snippet (the users of main.cf's defaults) goes")
set(TERN_TMPFILES_DIR "${CMAKE_INSTALL_PREFIX}/lib/tmpfiles.d" CACHE PATH
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
