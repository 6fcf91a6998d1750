"""The channels of the brief. Districts add their own as rows; no code change is needed."""

from django.db import migrations

CHANNELS = [
    # code, name (zh-Hans; shown in Traditional by the script filter), English, group, public form
    ("snapshot", "随手拍", "Snap and report", "online", True),
    ("mobile_app", "移动客户端", "Mobile client", "online", True),
    ("open311", "Open311 客户端", "Open311 client", "online", True),
    ("rating", "百姓评", "Citizens rate windows", "online", False),
    ("portal", "街道门户网站", "Street portal", "community", False),
    ("chat_group", "社区群", "Community chat group", "community", False),
    ("self_media", "本地自媒体", "Local self-media", "community", False),
    ("enterprise_questionnaire", "企业问卷", "Enterprise questionnaire", "questionnaire", False),
    ("paper_questionnaire", "纸质问卷", "Paper questionnaire", "questionnaire", False),
    ("window", "窗口来访", "At a service window", "in_person", False),
    ("leader_window", "领导坐窗口", "Leader at a window", "in_person", False),
    ("phone", "电话", "Phone", "in_person", False),
]


def add_channels(apps, schema_editor):
    Channel = apps.get_model("intake", "Channel")
    for order, (code, name, name_en, group, public) in enumerate(CHANNELS):
        Channel.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "group": group,
                "is_public_form": public,
                "sort_order": order * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_initial")]
    operations = [migrations.RunPython(add_channels, migrations.RunPython.noop)]
