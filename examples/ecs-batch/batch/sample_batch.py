#!/usr/bin/env python3
"""Nightly sample batch: aggregates one day of sales into daily_sales_summary.

Runs as the ECS task's overridden command (``python3 sample_batch.py``) at 02:00 JST and
aggregates the previous JST day: it reads the day's rows from ``sales`` (SELECT) and writes one
row per day into ``daily_sales_summary`` (UPDATE, or INSERT when the day is new), so running it
again for the same day changes nothing but ``aggregated_at``.

Configuration (environment, as the task definition and the state machine give it):
  DATABASE_URL          sqlite:///relative.db, sqlite:////absolute.db (default
                        sqlite:///sample_batch.sqlite3) or postgresql://user:pass@host/db
                        (needs the psycopg package, imported only then)
  BATCH_RUN_AT          when the run was started (ISO 8601; the state machine passes
                        $$.Execution.StartTime); default: now
  BATCH_EXECUTION_NAME  recorded with the aggregate (traceability)
  BATCH_FAIL=1          run a deliberately invalid statement (to exercise the failure path)

Arguments: --date YYYY-MM-DD (the day to aggregate, overrides BATCH_RUN_AT), --fail (as
BATCH_FAIL=1), --init-demo (create the ``sales`` table with demo rows for the day and exit).

Logs go to stdout (CloudWatch Logs in AWS, the task log in sfn-local). Exit code 0 on success,
1 on any failure (the ECS task then stops with a non-zero exit and Step Functions fails the
state with States.TaskFailed).
"""

import argparse
import logging
import os
import sys
import time as systime
from datetime import date, datetime, time, timedelta, timezone

JST = timezone(timedelta(hours=9), "JST")
DEFAULT_URL = "sqlite:///sample_batch.sqlite3"
BAD_SQL = "SELECT COUNT(*) FROM sales WHERE sold_at >>= ?"

log = logging.getLogger("sample_batch")


class Database:
    """A DB-API connection and what differs between SQLite and PostgreSQL."""

    def __init__(self, url):
        if url.startswith(("postgres://", "postgresql://")):
            try:
                import psycopg  # only PostgreSQL needs a package beyond the standard library
            except ImportError as e:
                raise RuntimeError("PostgreSQL needs psycopg: pip install 'psycopg[binary]'") from e

            self.conn = psycopg.connect(url)
            self.kind = "postgresql"
            self.mark = "%s"
        elif url.startswith("sqlite:///"):
            import sqlite3

            # sqlite:///x.db is relative to the working directory, sqlite:////x.db absolute.
            self.conn = sqlite3.connect(url[len("sqlite:///") :])
            self.kind = "sqlite"
            self.mark = "?"
        else:
            raise ValueError(f"unsupported DATABASE_URL scheme: {redact(url)}")

    def sql(self, text):
        return text.replace("?", self.mark)

    def when(self, t):
        """A UTC instant as stored: ISO text in SQLite, a timestamptz in PostgreSQL."""
        return t if self.kind == "postgresql" else t.strftime("%Y-%m-%dT%H:%M:%SZ")


def redact(url):
    """The URL without its password, for logs."""
    scheme, sep, rest = url.partition("://")
    creds, at, host = rest.rpartition("@")
    if not at or ":" not in creds:
        return url
    return f"{scheme}{sep}{creds.split(':', 1)[0]}:***@{host}"


def target_day(args):
    """The JST day to aggregate: --date, else the day before the run's JST date."""
    if args.date:
        return date.fromisoformat(args.date)
    run_at = os.environ.get("BATCH_RUN_AT")
    started = (
        datetime.fromisoformat(run_at.replace("Z", "+00:00"))
        if run_at
        else datetime.now(timezone.utc)
    )
    return started.astimezone(JST).date() - timedelta(days=1)


def day_bounds_utc(day):
    """[start, end) of a JST day, in UTC."""
    start = datetime.combine(day, time(0), JST).astimezone(timezone.utc)
    return start, start + timedelta(days=1)


def ensure_summary_table(db):
    db.conn.execute(
        "CREATE TABLE IF NOT EXISTS daily_sales_summary ("
        " sales_date TEXT PRIMARY KEY,"
        " order_count INTEGER NOT NULL,"
        " total_amount INTEGER NOT NULL,"
        " aggregated_at TEXT NOT NULL,"
        " execution_name TEXT)"
    )


def aggregate(db, day, fail):
    start, end = day_bounds_utc(day)
    cur = db.conn.cursor()
    if fail:
        log.info("BATCH_FAIL is set: running an invalid statement")
        cur.execute(db.sql(BAD_SQL), (db.when(start),))
    cur.execute(
        db.sql("SELECT amount FROM sales WHERE sold_at >= ? AND sold_at < ? ORDER BY id"),
        (db.when(start), db.when(end)),
    )
    amounts = [row[0] for row in cur.fetchall()]
    count, total = len(amounts), sum(amounts)
    log.info("read %d sales rows of %s (JST), total %d", count, day.isoformat(), total)

    ensure_summary_table(db)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    execution = os.environ.get("BATCH_EXECUTION_NAME")
    values = (count, total, now, execution, day.isoformat())
    cur.execute(
        db.sql(
            "UPDATE daily_sales_summary SET order_count = ?, total_amount = ?,"
            " aggregated_at = ?, execution_name = ? WHERE sales_date = ?"
        ),
        values,
    )
    action = "updated"
    if cur.rowcount == 0:
        cur.execute(
            db.sql(
                "INSERT INTO daily_sales_summary"
                " (order_count, total_amount, aggregated_at, execution_name, sales_date)"
                " VALUES (?, ?, ?, ?, ?)"
            ),
            values,
        )
        action = "inserted"
    db.conn.commit()
    log.info(
        "%s daily_sales_summary %s: order_count=%d total_amount=%d",
        action,
        day.isoformat(),
        count,
        total,
    )


def init_demo(db, day):
    """Creates ``sales`` (normally owned by the API) with a few rows around the day."""
    start, _ = day_bounds_utc(day)
    cur = db.conn.cursor()
    if db.kind == "postgresql":
        ddl = "id SERIAL PRIMARY KEY, sold_at TIMESTAMPTZ NOT NULL, amount INTEGER NOT NULL"
    else:
        ddl = "id INTEGER PRIMARY KEY, sold_at TEXT NOT NULL, amount INTEGER NOT NULL"
    cur.execute(f"CREATE TABLE IF NOT EXISTS sales ({ddl})")
    rows = [(start + timedelta(hours=h), amount) for h, amount in [(1, 1200), (9, 800), (23, 450)]]
    for at, amount in rows:
        cur.execute(
            db.sql("INSERT INTO sales (sold_at, amount) VALUES (?, ?)"), (db.when(at), amount)
        )
    db.conn.commit()
    log.info("created demo sales rows for %s (JST): %d rows", day.isoformat(), len(rows))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", help="the JST day to aggregate (YYYY-MM-DD)")
    parser.add_argument("--fail", action="store_true", help="run an invalid statement")
    parser.add_argument("--init-demo", action="store_true", help="create demo sales rows")
    args = parser.parse_args(argv)
    logging.Formatter.converter = systime.gmtime
    logging.basicConfig(
        stream=sys.stdout,
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        datefmt="%Y-%m-%dT%H:%M:%SZ",
    )
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    try:
        day = target_day(args)
        db = Database(url)
        log.info("connected to %s database %s", db.kind, redact(url))
        try:
            if args.init_demo:
                init_demo(db, day)
            else:
                aggregate(db, day, args.fail or os.environ.get("BATCH_FAIL") == "1")
        finally:
            db.conn.close()
    except Exception as e:  # every failure ends the task with exit code 1
        log.error("batch failed: %s: %s", type(e).__name__, e)
        return 1
    log.info("batch finished")
    return 0


if __name__ == "__main__":
    sys.exit(main())
