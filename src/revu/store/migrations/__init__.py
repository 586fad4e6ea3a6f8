"""Alembic migrations of revu's store, shipped inside the package and run programmatically."""
