-- PostgreSQL roles for the feedback app: one that owns the tables, one the app runs as.
--
-- Run once, as a superuser, before the first `flask --app feedback_api db upgrade`:
--
--   psql -v owner=transparency_owner -v app=transparency -v db=transparency \
--        -f deploy/postgres-roles.sql
--
-- Migrations run as the owner (DATABASE_URL=postgresql://transparency_owner@.../transparency
-- for `db upgrade` only); gunicorn runs as the app role, which may read and write rows but
-- cannot create, alter, drop or truncate a table, nor disable a trigger. So even a query
-- the app was tricked into running cannot switch off or empty the append-only audit log.
-- Give each role a password (ALTER ROLE ... PASSWORD) or a pg_hba.conf rule as your site
-- requires; none is set here.

\set ON_ERROR_STOP on

CREATE ROLE :"owner" LOGIN;
CREATE ROLE :"app" LOGIN;
CREATE DATABASE :"db" OWNER :"owner";

\connect :"db"

-- PostgreSQL 15 and later already keep other roles from creating objects in public.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";
-- Every table and sequence the owner's migrations create, now and later.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app";
