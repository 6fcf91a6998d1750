"""A starting catalogue of common service items; staff edit it afterwards."""

from django.db import migrations

ITEMS = [
    # code, name, name_en, materials, legal days, promised days, online, max visits
    ("pension-qualification", "养老保险待遇资格认证", "Pension entitlement qualification check",
     "居民身份证\n社会保障卡", 5, 1, "full", 0),
    ("sole-proprietor-registration", "个体工商户设立登记", "Registering a sole proprietorship",
     "个体工商户设立登记申请书\n经营者身份证明\n经营场所使用证明", 15, 3, "application", 1),
    ("residence-permit", "居住证办理", "Residence permit",
     "居住证申领登记表\n居民身份证\n近期免冠照片\n合法稳定住所、就业或连续就读证明", 15, 10,
     "application", 1),
    ("real-estate-registration", "不动产登记", "Real estate registration",
     "不动产登记申请书\n申请人身份证明\n不动产权属来源证明\n完税凭证", 30, 5, "application", 1),
    ("construction-planning-permit", "建设工程规划许可", "Construction project planning permit",
     "建设工程规划许可申请表\n建设用地使用权证明\n建设工程设计方案\n有资质单位编制的施工图", 20,
     10, "application", 2),
    ("gas-connection", "燃气报装", "Gas connection application",
     "用气申请表\n申请人身份证明\n房屋产权证明或租赁合同", 15, 7, "application", 1),
    ("social-security-card-replacement", "社会保障卡补办", "Replacing a social security card",
     "居民身份证\n近期免冠照片（可现场拍摄）", 10, 1, "application", 1),
    ("enterprise-startup", "企业开办", "Starting an enterprise",
     "公司登记（备案）申请书\n公司章程\n股东主体资格证明\n法定代表人身份证明\n住所使用证明", 20,
     1, "full", 0),
]


def seed(apps, schema_editor):
    ServiceItem = apps.get_model("catalogue", "ServiceItem")
    for code, name, name_en, materials, legal, promised, online, visits in ITEMS:
        ServiceItem.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "materials": materials,
                "legal_days": legal,
                "promised_days": promised,
                "online": online,
                "max_visits": visits,
            },
        )


def unseed(apps, schema_editor):
    ServiceItem = apps.get_model("catalogue", "ServiceItem")
    ServiceItem.objects.filter(
        code__in=[row[0] for row in ITEMS], records__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
