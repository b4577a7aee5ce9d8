# SPDX-License-Identifier: MIT
# FindBerkeleyDB - locate db.h and libdb (Debian: libdb-dev).
# Defines BerkeleyDB_FOUND and the imported target BerkeleyDB::BerkeleyDB.
find_path(BerkeleyDB_INCLUDE_DIR NAMES db.h)
find_library(BerkeleyDB_LIBRARY NAMES db)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(BerkeleyDB
	REQUIRED_VARS BerkeleyDB_LIBRARY BerkeleyDB_INCLUDE_DIR)
if(BerkeleyDB_FOUND AND NOT TARGET BerkeleyDB::BerkeleyDB)
	add_library(BerkeleyDB::BerkeleyDB UNKNOWN IMPORTED)
	set_target_properties(BerkeleyDB::BerkeleyDB PROPERTIES
		IMPORTED_LOCATION "${BerkeleyDB_LIBRARY}"
		INTERFACE_INCLUDE_DIRECTORIES "${BerkeleyDB_INCLUDE_DIR}")
endif()
mark_as_advanced(BerkeleyDB_INCLUDE_DIR BerkeleyDB_LIBRARY)
