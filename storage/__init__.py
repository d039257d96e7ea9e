"""The audit database: SQLModel models, engine and sessions (db), writes (repository), reads (queries), exports."""
