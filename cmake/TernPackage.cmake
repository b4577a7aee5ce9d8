# SPDX-License-Identifier: MIT
# CPack: "cpack -G DEB" in a build tree makes tern_<version>_<arch>.deb
# from what "cmake --install" lays out (TernInstall.cmake). Configure the
# tree with -DCMAKE_INSTALL_PREFIX=/usr for a system package.
#
# Like Debian's mail-transport-agent packages, it provides
# mail-transport-agent and conflicts with (and replaces) every other
# provider, so that it alone owns /usr/sbin/sendmail, mailq and newaliases
# (no update-alternatives). Its maintainer scripts (packaging/debian/*.in)
# make the accounts (systemd-sysusers, else adduser), the queue directory
# (systemd-tmpfiles) and the manifest's permissions (tern set-permissions),
# start Tern, stop it on removal and, on purge, remove the queue, the
# configuration directory and the accounts.
set(CPACK_PACKAGE_NAME tern)
set(CPACK_PACKAGE_VENDOR "Tern")
set(CPACK_PACKAGE_CONTACT "Tern maintainers <postmaster@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
	"privilege-separated mail transport agent (Postfix-style)")
set(CPACK_PACKAGE_DESCRIPTION
	"Tern receives mail over SMTP (STARTTLS, SMTP AUTH), queues it durably,
delivers it into virtual Maildirs or relays it over SMTP, and serves the
Maildirs over POP3 and IMAP. A root master supervises small daemons that
run as unprivileged users.")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_STRIP_FILES OFF)
# Absolute install destinations (TernInstall.cmake): staged under DESTDIR.
set(CPACK_SET_DESTDIR ON)
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_GENERATOR DEB)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION mail)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
find_program(TERN_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(TERN_DPKG_SHLIBDEPS)
	set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
	# Debian 12's names for what the programs link.
	set(CPACK_DEBIAN_PACKAGE_DEPENDS
		"libc6 (>= 2.36), libssl3 (>= 3.0.0), libc-ares2 (>= 1.18), libdb5.3, libcrypt1")
endif()
# adduser: the fallback of postinst where systemd-sysusers is missing.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_PROVIDES "mail-transport-agent")
set(CPACK_DEBIAN_PACKAGE_CONFLICTS "mail-transport-agent")
set(CPACK_DEBIAN_PACKAGE_REPLACES "mail-transport-agent")

set(tern_deb ${PROJECT_BINARY_DIR}/packaging/debian)
file(MAKE_DIRECTORY ${tern_deb})
foreach(f postinst prerm postrm)
	configure_file(${PROJECT_SOURCE_DIR}/packaging/debian/${f}.in
		${tern_deb}/${f} @ONLY
		FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
		GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
endforeach()
file(WRITE ${tern_deb}/conffiles.new
	"${TERN_CONFIG_DIR}/main.cf\n${TERN_CONFIG_DIR}/master.cf\n")
configure_file(${tern_deb}/conffiles.new ${tern_deb}/conffiles COPYONLY)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
	${tern_deb}/postinst ${tern_deb}/prerm ${tern_deb}/postrm
	${tern_deb}/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
