"""Staff change their own password."""

from django.test import Client

from civicdesk.conftest import PASSWORD, login

URL = "/accounts/password/"
NEW = "路灯-east-2026-夜班"


def test_staff_changes_their_password_and_logs_in_with_the_new_one(handler):
    client = login(handler)
    page = client.get("/staff/", follow=True).content.decode()
    assert f'href="{URL}"' in page  # offered next to "log out"
    response = client.post(
        URL, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/password/done/"
    assert client.get("/staff/", follow=True).status_code == 200  # this session stays logged in
    handler.refresh_from_db()
    assert handler.check_password(NEW)
    assert Client().login(username=handler.username, password=NEW)
    assert not Client().login(username=handler.username, password=PASSWORD)


def test_wrong_old_password_or_weak_new_one_changes_nothing(handler):
    client = login(handler)
    response = client.post(
        URL,
        {"old_password": "not-it", "new_password1": NEW, "new_password2": NEW},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    response = client.post(
        URL,
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "请修改以下错误。" in page
    assert "这个密码太常见了。" in page
    handler.refresh_from_db()
    assert handler.check_password(PASSWORD)


def test_only_for_logged_in_users(db, citizen):
    response = citizen.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert 'href="/accounts/password/"' not in citizen.get("/").content.decode()
