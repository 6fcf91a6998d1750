"""The usual return-visit rules of a 12345 centre, as a district starts with them: every
dissatisfied case, every enterprise case, every case answered again after a re-handling, and
one in ten of the rest; with a default script and one for the economy (enterprises). They are
data: supervisors change them on the sampling rules and scripts pages."""

from decimal import Decimal

from django.db import migrations

DEFAULT_SCRIPT = (
    "您好，这里是12345政务服务便民热线回访员。您之前反映的问题，承办单位已经答复办结，"
    "现在占用您一两分钟时间做个回访。\n"
    "1. 您反映的问题现在解决了吗？\n"
    "2. 您对承办单位的处理结果满意吗？（非常满意、满意、基本满意、不满意、非常不满意）\n"
    "3. 您还有其他意见或建议吗？\n"
    "感谢您对我们工作的支持，再见。"
)
ECONOMY_SCRIPT = (
    "您好，这里是12345政务服务便民热线营商环境专席回访员。贵企业反映的问题，"
    "承办单位已经答复办结，现在向您回访。\n"
    "1. 企业反映的问题现在解决了吗？有没有落实到位？\n"
    "2. 您对承办单位的处理结果满意吗？（非常满意、满意、基本满意、不满意、非常不满意）\n"
    "3. 办理过程中是否有推诿扯皮、吃拿卡要等情况？\n"
    "4. 企业在生产经营中还有其他困难或诉求吗？\n"
    "感谢您对优化营商环境工作的支持，再见。"
)


def seed(apps, schema_editor):
    SamplingRule = apps.get_model("evaluation", "SamplingRule")
    VisitScript = apps.get_model("evaluation", "VisitScript")
    Category = apps.get_model("cases", "Category")
    if not SamplingRule.objects.exists():
        for kind in ("dissatisfied", "enterprise", "rehandled"):
            SamplingRule.objects.create(kind=kind)
        SamplingRule.objects.create(kind="share", percent=Decimal("10"))
    if not VisitScript.objects.exists():
        VisitScript.objects.create(category=None, title="通用回访话术", text=DEFAULT_SCRIPT)
        economy = Category.objects.filter(code="economy").first()
        if economy is not None:
            VisitScript.objects.create(
                category=economy, title="涉企诉求回访话术", text=ECONOMY_SCRIPT
            )


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0003_return_visits"),
        ("cases", "0003_default_categories"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
