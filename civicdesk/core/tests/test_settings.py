"""The helpers in civicdesk.settings that read the environment."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from civicdesk.settings import database_from_url, env_bool, env_int, env_list


class TestDatabaseFromUrl:
    def test_sqlite_relative_path(self):
        config = database_from_url("sqlite:///var/civicdesk.sqlite3")
        assert config["ENGINE"] == "django.db.backends.sqlite3"
        assert config["NAME"] == "var/civicdesk.sqlite3"

    def test_sqlite_absolute_path(self):
        config = database_from_url("sqlite:////srv/civicdesk/db.sqlite3")
        assert config["ENGINE"] == "django.db.backends.sqlite3"
        assert config["NAME"] == "/srv/civicdesk/db.sqlite3"

    def test_sqlite_without_path_is_in_memory(self):
        assert database_from_url("sqlite://")["NAME"] == ":memory:"

    def test_sqlite_uses_immediate_transactions_and_wal(self):
        options = database_from_url("sqlite:///db.sqlite3")["OPTIONS"]
        assert options["transaction_mode"] == "IMMEDIATE"
        assert "journal_mode=WAL" in options["init_command"]

    def test_postgres_with_user_password_port_and_options(self):
        config = database_from_url(
            "postgres://civic%40desk:p%40ss%3Aword@db.example.org:6543/civic_db"
            "?sslmode=require&connect_timeout=5"
        )
        assert config["ENGINE"] == "django.db.backends.postgresql"
        assert config["NAME"] == "civic_db"
        assert config["USER"] == "civic@desk"
        assert config["PASSWORD"] == "p@ss:word"
        assert config["HOST"] == "db.example.org"
        assert config["PORT"] == "6543"
        assert config["OPTIONS"] == {"sslmode": "require", "connect_timeout": "5"}
        assert config["CONN_HEALTH_CHECKS"] is True

    @pytest.mark.parametrize("scheme", ["postgres", "postgresql", "pgsql"])
    def test_postgres_scheme_aliases(self, scheme):
        config = database_from_url(f"{scheme}://localhost/civicdesk")
        assert config["ENGINE"] == "django.db.backends.postgresql"
        assert config["NAME"] == "civicdesk"
        assert config["USER"] == ""
        assert config["PASSWORD"] == ""
        assert config["HOST"] == "localhost"
        assert config["PORT"] == ""
        assert config["OPTIONS"] == {}

    def test_postgres_conn_max_age_from_environment(self, monkeypatch):
        monkeypatch.setenv("CIVICDESK_DB_CONN_MAX_AGE", "0")
        assert database_from_url("postgres://localhost/civicdesk")["CONN_MAX_AGE"] == 0
        monkeypatch.delenv("CIVICDESK_DB_CONN_MAX_AGE")
        assert database_from_url("postgres://localhost/civicdesk")["CONN_MAX_AGE"] == 60

    @pytest.mark.parametrize(
        "url", ["mysql://root@localhost/civicdesk", "civicdesk.sqlite3", "http://example.org/"]
    )
    def test_unknown_scheme_is_refused(self, url):
        with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
            database_from_url(url)


class TestEnvBool:
    @pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "on", "On"])
    def test_true_values(self, monkeypatch, value):
        monkeypatch.setenv("CIVICDESK_TEST_FLAG", value)
        assert env_bool("CIVICDESK_TEST_FLAG", False) is True

    @pytest.mark.parametrize("value", ["0", "false", "False", "no", "off", "OFF"])
    def test_false_values(self, monkeypatch, value):
        monkeypatch.setenv("CIVICDESK_TEST_FLAG", value)
        assert env_bool("CIVICDESK_TEST_FLAG", True) is False

    @pytest.mark.parametrize("default", [True, False])
    def test_unset_or_empty_gives_default(self, monkeypatch, default):
        monkeypatch.delenv("CIVICDESK_TEST_FLAG", raising=False)
        assert env_bool("CIVICDESK_TEST_FLAG", default) is default
        monkeypatch.setenv("CIVICDESK_TEST_FLAG", "")
        assert env_bool("CIVICDESK_TEST_FLAG", default) is default

    @pytest.mark.parametrize("value", ["maybe", "2", "y es", "enabled"])
    def test_other_values_are_refused_with_the_name(self, monkeypatch, value):
        monkeypatch.setenv("CIVICDESK_TEST_FLAG", value)
        with pytest.raises(ImproperlyConfigured, match="CIVICDESK_TEST_FLAG"):
            env_bool("CIVICDESK_TEST_FLAG", False)


class TestEnvInt:
    def test_reads_integers(self, monkeypatch):
        monkeypatch.setenv("CIVICDESK_TEST_NUMBER", "42")
        assert env_int("CIVICDESK_TEST_NUMBER", 7) == 42
        monkeypatch.setenv("CIVICDESK_TEST_NUMBER", "-3")
        assert env_int("CIVICDESK_TEST_NUMBER", 7) == -3

    def test_unset_or_empty_gives_default(self, monkeypatch):
        monkeypatch.delenv("CIVICDESK_TEST_NUMBER", raising=False)
        assert env_int("CIVICDESK_TEST_NUMBER", 7) == 7
        monkeypatch.setenv("CIVICDESK_TEST_NUMBER", "")
        assert env_int("CIVICDESK_TEST_NUMBER", 7) == 7

    @pytest.mark.parametrize("value", ["ten", "1.5", "1e3", "0x10"])
    def test_non_integers_are_refused_with_the_name(self, monkeypatch, value):
        monkeypatch.setenv("CIVICDESK_TEST_NUMBER", value)
        with pytest.raises(ImproperlyConfigured, match="CIVICDESK_TEST_NUMBER"):
            env_int("CIVICDESK_TEST_NUMBER", 7)


class TestEnvList:
    def test_splits_on_commas_and_strips(self, monkeypatch):
        monkeypatch.setenv("CIVICDESK_TEST_LIST", " a.example.org, b.example.org ,,")
        assert env_list("CIVICDESK_TEST_LIST", []) == ["a.example.org", "b.example.org"]

    def test_unset_gives_default(self, monkeypatch):
        monkeypatch.delenv("CIVICDESK_TEST_LIST", raising=False)
        assert env_list("CIVICDESK_TEST_LIST", ["x"]) == ["x"]
