"""CAT-3: the initial banned-term list. Staff maintain it in the admin afterwards.

Soft: absolute claims forbidden in advertising (Advertising Law Art. 9 (3): 国家级, 最高级, 最佳 …) and
unprovable efficacy claims; the reviewer sees them highlighted. Hard: items that may not be sold at all.
"""

from django.db import migrations

ABSOLUTE_CLAIMS = "Advertising Law Art. 9: absolute claim"
SOFT = [
    "国家级", "世界级", "最高级", "最佳", "最好", "最优", "最大", "最低价", "第一", "唯一", "首个", "顶级",
    "极品", "绝对", "万能", "100%有效", "100%", "全网最低", "史无前例", "永久", "王牌", "冠军",
]
HARD = {
    "枪支": "Prohibited item: firearms",
    "弹药": "Prohibited item: ammunition",
    "毒品": "Prohibited item: narcotics",
    "冰毒": "Prohibited item: narcotics",
    "管制刀具": "Prohibited item: controlled knives",
    "假币": "Prohibited item: counterfeit currency",
    "窃听器": "Prohibited item: eavesdropping devices",
    "代开发票": "Prohibited service: invoice fraud",
}


def seed(apps, schema_editor):
    BannedTerm = apps.get_model("catalog", "BannedTerm")
    for phrase in SOFT:
        BannedTerm.objects.get_or_create(phrase=phrase, defaults={"severity": "soft", "reason": ABSOLUTE_CLAIMS})
    for phrase, reason in HARD.items():
        BannedTerm.objects.get_or_create(phrase=phrase, defaults={"severity": "hard", "reason": reason})


def unseed(apps, schema_editor):
    BannedTerm = apps.get_model("catalog", "BannedTerm")
    BannedTerm.objects.filter(phrase__in=[*SOFT, *HARD]).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_search_trigram")]

    operations = [migrations.RunPython(seed, unseed)]
