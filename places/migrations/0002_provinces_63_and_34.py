"""The 63 provinces before 2025-07-01 and the 34 from then (Resolution 202/2025/QH15).

Old provinces keep their GSO codes (Decision 124/2004/QĐ-TTg). A province the merger left
unchanged keeps its single row. A merged province gets a new row "n-<slug>" from 2025-07-01,
and every old province it absorbed ends on 2025-06-30, merged into it. update_or_create lets
this coexist with rows the demo seed may have created before.
"""

from datetime import date

from django.db import migrations

RESOLUTION = "Resolution 202/2025/QH15"
CODES = "Decision 124/2004/QĐ-TTg"
LAST_OLD_DAY = date(2025, 6, 30)
FIRST_NEW_DAY = date(2025, 7, 1)

# GSO code: (name, abbreviation), as on 2025-06-30.
OLD_PROVINCES = {
    "01": ("Hà Nội", "HN"),
    "02": ("Hà Giang", "HG"),
    "04": ("Cao Bằng", "CB"),
    "06": ("Bắc Kạn", "BK"),
    "08": ("Tuyên Quang", "TQ"),
    "10": ("Lào Cai", "LC"),
    "11": ("Điện Biên", "DB"),
    "12": ("Lai Châu", "LCH"),
    "14": ("Sơn La", "SL"),
    "15": ("Yên Bái", "YB"),
    "17": ("Hòa Bình", "HB"),
    "19": ("Thái Nguyên", "TN"),
    "20": ("Lạng Sơn", "LS"),
    "22": ("Quảng Ninh", "QNI"),
    "24": ("Bắc Giang", "BG"),
    "25": ("Phú Thọ", "PT"),
    "26": ("Vĩnh Phúc", "VP"),
    "27": ("Bắc Ninh", "BN"),
    "30": ("Hải Dương", "HD"),
    "31": ("Hải Phòng", "HP"),
    "33": ("Hưng Yên", "HY"),
    "34": ("Thái Bình", "TB"),
    "35": ("Hà Nam", "HNA"),
    "36": ("Nam Định", "ND"),
    "37": ("Ninh Bình", "NB"),
    "38": ("Thanh Hóa", "TH"),
    "40": ("Nghệ An", "NA"),
    "42": ("Hà Tĩnh", "HT"),
    "44": ("Quảng Bình", "QB"),
    "45": ("Quảng Trị", "QT"),
    "46": ("Huế", "HUE"),
    "48": ("Đà Nẵng", "DNG"),
    "49": ("Quảng Nam", "QNA"),
    "51": ("Quảng Ngãi", "QNG"),
    "52": ("Bình Định", "BDI"),
    "54": ("Phú Yên", "PY"),
    "56": ("Khánh Hòa", "KH"),
    "58": ("Ninh Thuận", "NT"),
    "60": ("Bình Thuận", "BTH"),
    "62": ("Kon Tum", "KT"),
    "64": ("Gia Lai", "GL"),
    "66": ("Đắk Lắk", "DLK"),
    "67": ("Đắk Nông", "DNO"),
    "68": ("Lâm Đồng", "LD"),
    "70": ("Bình Phước", "BP"),
    "72": ("Tây Ninh", "TNI"),
    "74": ("Bình Dương", "BD"),
    "75": ("Đồng Nai", "DN"),
    "77": ("Bà Rịa – Vũng Tàu", "BRV"),
    "79": ("Thành phố Hồ Chí Minh", "HCM"),
    "80": ("Long An", "LA"),
    "82": ("Tiền Giang", "TG"),
    "83": ("Bến Tre", "BTR"),
    "84": ("Trà Vinh", "TV"),
    "86": ("Vĩnh Long", "VL"),
    "87": ("Đồng Tháp", "DT"),
    "89": ("An Giang", "AG"),
    "91": ("Kiên Giang", "KG"),
    "92": ("Cần Thơ", "CT"),
    "93": ("Hậu Giang", "HGI"),
    "94": ("Sóc Trăng", "ST"),
    "95": ("Bạc Liêu", "BL"),
    "96": ("Cà Mau", "CM"),
}

# Left as they were by Resolution 202/2025/QH15 (Huế became a centrally-run city on
# 2025-01-01 under Resolution 1314/NQ-UBTVQH15, before the merger).
UNCHANGED = ["01", "46", "12", "11", "14", "20", "22", "38", "40", "42", "04"]

# New code: (name, abbreviation, old provinces it absorbed), from 2025-07-01.
MERGED = {
    "n-tuyen-quang": ("Tuyên Quang", "TQ", ["02", "08"]),
    "n-lao-cai": ("Lào Cai", "LC", ["15", "10"]),
    "n-thai-nguyen": ("Thái Nguyên", "TN", ["06", "19"]),
    "n-phu-tho": ("Phú Thọ", "PT", ["26", "17", "25"]),
    "n-bac-ninh": ("Bắc Ninh", "BN", ["24", "27"]),
    "n-hung-yen": ("Hưng Yên", "HY", ["34", "33"]),
    "n-hai-phong": ("Hải Phòng", "HP", ["30", "31"]),
    "n-ninh-binh": ("Ninh Bình", "NB", ["35", "36", "37"]),
    "n-quang-tri": ("Quảng Trị", "QT", ["44", "45"]),
    "n-da-nang": ("Đà Nẵng", "DNG", ["49", "48"]),
    "n-quang-ngai": ("Quảng Ngãi", "QNG", ["62", "51"]),
    "n-gia-lai": ("Gia Lai", "GL", ["64", "52"]),
    "n-khanh-hoa": ("Khánh Hòa", "KH", ["58", "56"]),
    "n-lam-dong": ("Lâm Đồng", "LD", ["68", "67", "60"]),
    "n-dak-lak": ("Đắk Lắk", "DLK", ["66", "54"]),
    "n-ho-chi-minh": ("Thành phố Hồ Chí Minh", "HCM", ["77", "74", "79"]),
    "n-dong-nai": ("Đồng Nai", "DN", ["75", "70"]),
    "n-tay-ninh": ("Tây Ninh", "TNI", ["72", "80"]),
    "n-can-tho": ("Cần Thơ", "CT", ["92", "94", "93"]),
    "n-vinh-long": ("Vĩnh Long", "VL", ["83", "86", "84"]),
    "n-dong-thap": ("Đồng Tháp", "DT", ["82", "87"]),
    "n-ca-mau": ("Cà Mau", "CM", ["95", "96"]),
    "n-an-giang": ("An Giang", "AG", ["91", "89"]),
}


def load_provinces(apps, schema_editor):
    Province = apps.get_model("places", "Province")
    for code in UNCHANGED:
        name, abbreviation = OLD_PROVINCES[code]
        Province.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "abbreviation": abbreviation,
                "valid_from": None,
                "valid_until": None,
                "merged_into": None,
                "source": f"{CODES}; unchanged by {RESOLUTION}",
            },
        )
    for new_code, (new_name, new_abbreviation, absorbed) in MERGED.items():
        new, _created = Province.objects.update_or_create(
            code=new_code,
            defaults={
                "name": new_name,
                "abbreviation": new_abbreviation,
                "valid_from": FIRST_NEW_DAY,
                "valid_until": None,
                "merged_into": None,
                "source": f"{RESOLUTION} Art. 1",
            },
        )
        for code in absorbed:
            name, abbreviation = OLD_PROVINCES[code]
            Province.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "abbreviation": abbreviation,
                    "valid_from": None,
                    "valid_until": LAST_OLD_DAY,
                    "merged_into": new,
                    "source": f"{CODES}; merged into {new_name} by {RESOLUTION} Art. 1",
                },
            )


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load_provinces, migrations.RunPython.noop),
    ]
