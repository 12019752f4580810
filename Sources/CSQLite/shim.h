#ifndef HERALD_CSQLITE_SHIM_H
#define HERALD_CSQLITE_SHIM_H

/* sqlite3_config is variadic; Swift cannot call it directly. This header does not include
   <sqlite3.h>: GRDB's GRDBSQLite module already exports SQLite's API, and a second module
   exporting the same declarations would make every sqlite3_* call ambiguous in Swift. */

int sqlite3_config(int option, ...);

/* SQLITE_CONFIG_MEMSTATUS in <sqlite3.h>, part of SQLite's stable interface. */
#define HERALD_SQLITE_CONFIG_MEMSTATUS 9

/* Stops SQLite counting the memory it allocates. Counting takes a process-wide mutex on every
   sqlite3_malloc and sqlite3_free. Only valid before SQLite is first initialised (the first
   connection opened): returns SQLITE_OK (0) when it took effect, SQLITE_MISUSE (21) when too late. */
static inline int herald_sqlite_disable_memory_statistics(void) {
    return sqlite3_config(HERALD_SQLITE_CONFIG_MEMSTATUS, 0);
}

#endif
