import pytest
from django.core.management import CommandError, call_command

from civicdesk.accounts.models import ApiToken, User


def test_issued_token_authenticates_the_api(handler, client, capsys):
    call_command("issue_token", "handler", "--name", "mobile app")
    raw = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(user=handler)
    assert token.name == "mobile app" and raw.startswith(token.prefix)
    assert raw not in token.digest  # only the hash is stored
    response = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200


def test_tokens_only_for_staff_members(units):
    User.objects.create_user(username="nobody")
    with pytest.raises(CommandError, match="no staff role"):
        call_command("issue_token", "nobody")
    with pytest.raises(CommandError, match="no user"):
        call_command("issue_token", "ghost")
