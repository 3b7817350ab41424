"""Where each of the 34 provinces of 2025-07-01 has its seat, to rank providers by distance.

The seats are the cities Resolution 202/2025/QH15 names as each province's political and
administrative centre. The coordinates are the cities' centres, approximate (about ±5 km),
compiled by hand for ranking service providers by distance and for nothing else. A province
that no longer exists has none: a place is ranked by the province it is part of today.
"""

from decimal import Decimal

from django.db import migrations, models

SOURCE = (
    "Seat named by Resolution 202/2025/QH15; approximate city-centre coordinates "
    "(about ±5 km), for ranking by distance only"
)

# Province code: (seat, latitude, longitude).
SEATS = {
    "01": ("Hà Nội", "21.0285", "105.8542"),
    "04": ("Cao Bằng", "22.6657", "106.2577"),
    "11": ("Điện Biên Phủ", "21.3860", "103.0230"),
    "12": ("Lai Châu", "22.3964", "103.4582"),
    "14": ("Sơn La", "21.3270", "103.9141"),
    "20": ("Lạng Sơn", "21.8537", "106.7610"),
    "22": ("Hạ Long", "20.9510", "107.0733"),
    "38": ("Thanh Hóa", "19.8067", "105.7852"),
    "40": ("Vinh", "18.6796", "105.6813"),
    "42": ("Hà Tĩnh", "18.3428", "105.9057"),
    "46": ("Huế", "16.4637", "107.5909"),
    "n-tuyen-quang": ("Tuyên Quang", "21.8233", "105.2140"),
    "n-lao-cai": ("Yên Bái", "21.7229", "104.9113"),
    "n-thai-nguyen": ("Thái Nguyên", "21.5928", "105.8442"),
    "n-phu-tho": ("Việt Trì", "21.3227", "105.4020"),
    "n-bac-ninh": ("Bắc Giang", "21.2731", "106.1946"),
    "n-hung-yen": ("Hưng Yên", "20.6464", "106.0511"),
    "n-hai-phong": ("Hải Phòng", "20.8449", "106.6881"),
    "n-ninh-binh": ("Ninh Bình", "20.2506", "105.9745"),
    "n-quang-tri": ("Đồng Hới", "17.4689", "106.6223"),
    "n-da-nang": ("Đà Nẵng", "16.0544", "108.2022"),
    "n-quang-ngai": ("Quảng Ngãi", "15.1214", "108.8044"),
    "n-gia-lai": ("Quy Nhơn", "13.7765", "109.2237"),
    "n-khanh-hoa": ("Nha Trang", "12.2388", "109.1967"),
    "n-lam-dong": ("Đà Lạt", "11.9404", "108.4583"),
    "n-dak-lak": ("Buôn Ma Thuột", "12.6667", "108.0500"),
    "n-ho-chi-minh": ("Thành phố Hồ Chí Minh", "10.7769", "106.7009"),
    "n-dong-nai": ("Biên Hòa", "10.9574", "106.8427"),
    "n-tay-ninh": ("Tân An", "10.5359", "106.4137"),
    "n-can-tho": ("Cần Thơ", "10.0452", "105.7469"),
    "n-vinh-long": ("Vĩnh Long", "10.2537", "105.9722"),
    "n-dong-thap": ("Mỹ Tho", "10.3600", "106.3600"),
    "n-ca-mau": ("Cà Mau", "9.1769", "105.1524"),
    "n-an-giang": ("Rạch Giá", "10.0125", "105.0809"),
}


def load_seats(apps, schema_editor):
    Province = apps.get_model("places", "Province")
    for code, (seat, latitude, longitude) in SEATS.items():
        Province.objects.filter(code=code).update(
            seat_latitude=Decimal(latitude),
            seat_longitude=Decimal(longitude),
            seat_source=f"{seat}: {SOURCE}",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0002_provinces_63_and_34"),
    ]

    operations = [
        migrations.AddField(
            model_name="province",
            name="seat_latitude",
            field=models.DecimalField(
                blank=True,
                decimal_places=4,
                max_digits=7,
                null=True,
                verbose_name="latitude of the provincial seat",
            ),
        ),
        migrations.AddField(
            model_name="province",
            name="seat_longitude",
            field=models.DecimalField(
                blank=True,
                decimal_places=4,
                max_digits=7,
                null=True,
                verbose_name="longitude of the provincial seat",
            ),
        ),
        migrations.AddField(
            model_name="province",
            name="seat_source",
            field=models.CharField(
                blank=True, max_length=200, verbose_name="source of the seat's position"
            ),
        ),
        migrations.RunPython(load_seats, migrations.RunPython.noop),
    ]
