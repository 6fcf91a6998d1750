# The public id of a case (issue 17, item 7): random, unique, never the tracking code;
# existing cases get one here (batched), new ones from the field's default. Also the
# "moderate" action of the timeline (civicdesk.moderation).

import secrets

from django.db import migrations, models

import civicdesk.cases.models

ALPHABET = "23456789abcdefghjkmnpqrstvwxyz"
BATCH = 2000


def _new_id() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(12))


def backfill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    used: set[str] = set()
    pending = Case.objects.filter(public_id__isnull=True).order_by("pk")
    while True:
        batch = list(pending.only("pk")[:BATCH])
        if not batch:
            break
        for case in batch:
            public_id = _new_id()
            while public_id in used:
                public_id = _new_id()
            used.add(public_id)
            case.public_id = public_id
        Case.objects.bulk_update(batch, ["public_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_suspension_plans"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="public_id",
            field=models.CharField(max_length=12, null=True, verbose_name="public id"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="case",
            name="public_id",
            field=models.CharField(
                default=civicdesk.cases.models.new_public_id,
                editable=False,
                max_length=12,
                unique=True,
                verbose_name="public id",
            ),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("create", "Received"),
                    ("assign", "Assigned"),
                    ("reassign", "Reassigned"),
                    ("accept", "Accepted"),
                    ("return", "Returned to supervisor"),
                    ("answer", "Answered"),
                    ("close", "Closed"),
                    ("reopen", "Reopened"),
                    ("merge", "Merged into another case"),
                    ("note", "Internal note"),
                    ("escalate", "Escalated"),
                    ("recategorize", "Category changed"),
                    ("undo_dispatch", "Automatic dispatch undone"),
                    ("give", "Given to a person or grid"),
                    ("add_co_unit", "Co-handling unit added"),
                    ("remove_co_unit", "Co-handling unit removed"),
                    ("part", "Part of the answer given"),
                    ("waive_part", "Part of the answer waived"),
                    ("arbitrate", "Arbitrated"),
                    ("request_extension", "Extension requested"),
                    ("request_suspension", "Suspension requested"),
                    ("decide_request", "Request decided"),
                    ("extend", "Deadline extended"),
                    ("suspend", "Suspended"),
                    ("refuse_request", "Request refused"),
                    ("withdraw_request", "Request withdrawn"),
                    ("resume", "Resumed"),
                    ("supervise", "Supervision letter"),
                    ("instruct", "Leader's instruction"),
                    ("moderate", "Public text moderated"),
                ],
                max_length=20,
            ),
        ),
    ]
