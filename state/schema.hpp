#pragma once
// state.db's schema: an ordered list of migrations, versioned with PRAGMA user_version.
#include <sqlite3.h>

namespace engine::state::schema {

// The user_version this build migrates to.
int current_version();
// Brings db to current_version(). Cheap when already current (one pragma read);
// throws StateError if the db is newer than this build.
void migrate(sqlite3* db);

}  // namespace engine::state::schema
