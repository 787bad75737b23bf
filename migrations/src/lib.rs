//! Database migrations, one SeaORM migrator per service. Each service's issue adds its migrator here.
