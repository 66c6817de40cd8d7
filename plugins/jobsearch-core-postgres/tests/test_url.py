"""`postgresql://` URLs: options read, options passed to libpq, and no password ever shown."""

from __future__ import annotations

import pytest
from jobsearch_core.errors import InvalidInputError

from jobsearch_core_postgres._url import parse_url, with_schema


class TestParseURL:
    """What a URL says: where the log is, in which schema, with how many connections."""

    def test_defaults(self) -> None:
        """No options: schema public, four pooled connections, a connect timeout for libpq."""
        target = parse_url("postgresql://ann@db.example:6543/jobs")
        assert (target.host, target.port, target.dbname, target.user) == (
            "db.example",
            "6543",
            "jobs",
            "ann",
        )
        assert (target.schema, target.pool_size) == ("public", 4)
        assert "connect_timeout=5" in target.conninfo
        assert "application_name=jobsearch-core" in target.conninfo

    def test_own_options_are_not_passed_to_libpq(self) -> None:
        """schema and pool_size are read here; libpq never sees them."""
        target = parse_url("postgresql://ann@h/jobs?schema=search_2026&pool_size=9")
        assert (target.schema, target.pool_size) == ("search_2026", 9)
        assert "schema" not in target.conninfo
        assert "pool_size" not in target.conninfo

    def test_libpq_options_pass_through(self) -> None:
        """Other options (sslmode, connect_timeout, options with spaces) reach libpq intact."""
        target = parse_url(
            "postgresql://ann@h/jobs?sslmode=disable&connect_timeout=2"
            "&options=-c%20statement_timeout%3D5000"
        )
        assert "sslmode=disable" in target.conninfo
        assert "connect_timeout=2" in target.conninfo
        assert "-c statement_timeout=5000" in target.conninfo

    def test_postgres_alias(self) -> None:
        """postgres:// is read like postgresql://, as libpq does."""
        assert parse_url("postgres://ann@h/jobs").dbname == "jobs"

    def test_schema_names_may_be_any_printable_text(self) -> None:
        """Quotes, spaces and accents are kept: the name is quoted, never pasted into SQL."""
        quoted = "postgresql://h/jobs?schema=Ann%27s%20%22log%22%20%C3%BC"
        assert parse_url(quoted).schema == 'Ann\'s "log" ü'


class TestPasswordsNeverShown:
    """The URL a log shows, and every message about it, leaves the password out."""

    @pytest.mark.parametrize(
        ("url", "shown"),
        [
            (
                "postgresql://ann:s3cret@h:5432/jobs?schema=x",
                "postgresql://ann@h:5432/jobs?schema=x",
            ),
            (
                "postgresql://ann@h/jobs?password=s3cret&schema=x",
                "postgresql://ann@h/jobs?schema=x",
            ),
            ("postgresql://ann:p%40ss@h/jobs", "postgresql://ann@h/jobs"),
            ("postgresql://h/jobs", "postgresql://h/jobs"),
        ],
    )
    def test_url_shown_without_password(self, url: str, shown: str) -> None:
        """The password, in the user part or as an option, is dropped from `.url`."""
        target = parse_url(url)
        assert target.url == shown
        assert "s3cret" not in repr(target)

    def test_refusal_does_not_show_the_password(self) -> None:
        """A refused URL is quoted in the error without its password."""
        with pytest.raises(InvalidInputError) as caught:
            parse_url("postgresql://ann:s3cret@h/jobs?colour=blue")
        assert "s3cret" not in str(caught.value)
        assert "colour" in str(caught.value)


class TestBadURLs:
    """A URL that cannot be right is refused with an error that names the problem."""

    @pytest.mark.parametrize(
        ("url", "message"),
        [
            ("mysql://h/jobs", "not a postgresql:// URL"),
            ("postgresql://h/jobs?colour=blue", '"colour"'),
            ("postgresql://h/jobs?schema=", "schema named in .* is empty"),
            ("postgresql://h/jobs?schema=a&schema=b", "'schema' is given twice"),
            ("postgresql://h/jobs?schema=pg_mine", "starts with 'pg_'"),
            ("postgresql://h/jobs?schema=" + "x" * 64, "longer than PostgreSQL keeps"),
            ("postgresql://h/jobs?schema=" + "é" * 32, "longer than PostgreSQL keeps"),
            ("postgresql://h/jobs?schema=tab%09here", "not printable"),
            ("postgresql://h/jobs?pool_size=0", "pool_size .* from 1 to 100"),
            ("postgresql://h/jobs?pool_size=many", "got 'many'"),
        ],
    )
    def test_refused(self, url: str, message: str) -> None:
        """Each is an InvalidInputError whose message says what is wrong."""
        with pytest.raises(InvalidInputError, match=message):
            parse_url(url)


class TestWithSchema:
    """with_schema() points a URL at another schema of the same database."""

    def test_adds_or_replaces_the_schema(self) -> None:
        """A schema option is added, or replaces the one there; other options stay."""
        assert with_schema("postgresql://h/jobs", "a") == "postgresql://h/jobs?schema=a"
        assert (
            with_schema("postgresql://h/jobs?sslmode=disable&schema=a", "b")
            == "postgresql://h/jobs?sslmode=disable&schema=b"
        )
