"""Alembic environment: runs on the connection `feedback_api.db.upgrade` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from feedback_api.models import Base

config = context.config


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    # Plain `alembic` use, e.g. `alembic -x url=... revision --autogenerate`.
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit("pass the database with -x url=DATABASE_URL")
    with create_engine(url).begin() as new_connection:
        run(new_connection)
