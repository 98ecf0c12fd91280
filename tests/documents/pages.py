"""Russian papers rendered to images, clean or as a phone would photograph them.

The texts are invented for the tests (names and numbers included) and written in
the style of the real forms; they are rendered with DejaVu (Debian's
fonts-dejavu-core, installed by `make ocr`). Also used by the bench.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONTS = Path("/usr/share/fonts/truetype/dejavu")

PAGES: dict[str, str] = {
    "military_contract": """
КОНТРАКТ
о прохождении военной службы
г. Москва                               «12» марта 2025 г.
Гражданин Республики Гана Менса Кофи, 1999 года рождения,
с одной стороны, и Министерство обороны Российской Федерации
в лице командира войсковой части 12345, с другой стороны,
заключили настоящий контракт о нижеследующем.
1. Гражданин добровольно поступает на военную службу и
обязуется проходить военную службу по контракту в
Вооруженных Силах Российской Федерации в течение одного года.
2. Срок контракта исчисляется со дня его подписания.
3. Военнослужащий обязуется добросовестно исполнять все
общие, должностные и специальные обязанности.
""",
    "call_up_papers": """
ПОВЕСТКА
Военный комиссариат города Москвы
Гражданину Алиеву Рустаму Каримовичу
В соответствии с Федеральным законом «О воинской обязанности
и военной службе» вам необходимо явиться 15 апреля 2025 г.
к 09 часам 00 минутам в военный комиссариат по адресу:
ул. Садовая, д. 5, кабинет 12, для уточнения данных
воинского учета.
При себе иметь паспорт.
Военный комиссар ______________
""",
    "lease": """
ДОГОВОР НАЙМА ЖИЛОГО ПОМЕЩЕНИЯ
г. Казань                                «1» сентября 2025 г.
Наймодатель Смирнова Анна Сергеевна и наниматель
Тапа Рам Бахадур заключили настоящий договор.
1. Наймодатель передает нанимателю во временное
пользование жилое помещение (квартиру) по адресу:
г. Казань, ул. Лесная, д. 8, кв. 41.
2. Плата за наем составляет 25 000 рублей в месяц и
вносится не позднее пятого числа каждого месяца.
3. Наниматель обязуется бережно относиться к жилому
помещению и своевременно вносить плату.
""",
    "employment_contract": """
ТРУДОВОЙ ДОГОВОР № 17
г. Санкт-Петербург                       «3» февраля 2025 г.
ООО «Строй-Сервис», именуемое далее работодатель, в лице
генерального директора Орлова В. В., и гражданин Республики
Кения Очиенг Дэвид, именуемый далее работник, заключили
настоящий трудовой договор о нижеследующем.
1. Работник принимается на должность подсобного рабочего.
2. Работнику устанавливается испытательный срок три месяца.
3. Заработная плата составляет 60 000 рублей в месяц.
4. Режим рабочего времени: пятидневная рабочая неделя.
5. Трудовые обязанности работника определены инструкцией.
""",
    "citizenship_application": """
В Главное управление по вопросам миграции МВД России
ЗАЯВЛЕНИЕ
о приеме в гражданство Российской Федерации
Я, Каримов Шерзод Алишерович, 1994 года рождения,
прошу принять меня в гражданство Российской Федерации
в упрощенном порядке.
Обязуюсь соблюдать Конституцию Российской Федерации
и законодательство Российской Федерации.
Сведения об отказе от имеющегося гражданства прилагаю.
Дата ____________          Подпись ____________
""",
    "power_of_attorney": """
ДОВЕРЕННОСТЬ
г. Москва, второе октября две тысячи двадцать пятого года
Я, Фернандес Луис Альберто, паспорт 1234 № 567890,
настоящей доверенностью уполномочиваю Кузнецова Петра
Ивановича представлять мои интересы во всех организациях,
подавать и получать документы от моего имени.
Доверенность выдана сроком на один год без права
передоверия.
Подпись доверителя ____________
""",
}

# A Russian notice that is none of the kinds: no phrase of any kind may be found in it.
# "уверенность" (confidence) is two letters from "доверенность" (power of attorney).
NOTICE = """
Уважаемые жильцы!
Двенадцатого мая с 10 до 18 часов в доме будет отключена
горячая вода в связи с плановыми работами на теплосети.
Просим заранее набрать воду и закрыть краны.
Мы выражаем уверенность, что работы будут завершены в срок.
Приносим извинения за временные неудобства.
Управляющая компания «Уютный дом»
"""


@dataclass(frozen=True)
class Photo:
    """How a phone spoils a page: turned, blurred, noisy, lit from one side."""

    angle: float = 0.0  # degrees, counter-clockwise
    blur: float = 0.0  # Gaussian radius in pixels
    noise: float = 0.0  # standard deviation of grey-level noise
    shade: float = 0.0  # how much darker the far corner is than the near one (0..1)
    desk: int = 0  # pixels of dark desk around the page
    quality: int = 80  # JPEG quality


CLEAN = Photo()
PHONE = Photo(angle=4.0, blur=1.0, noise=12.0, shade=0.45, desk=40, quality=70)


def render(text: str, font_size: int = 26, width: int = 1100, height: int = 0) -> Image.Image:
    """The text as a white page of black print, one line per line of ``text``."""
    font = ImageFont.truetype(str(FONTS / "DejaVuSerif.ttf"), font_size)
    bold = ImageFont.truetype(str(FONTS / "DejaVuSerif-Bold.ttf"), font_size + 4)
    lines = text.strip("\n").split("\n")
    step = int(font_size * 1.6)
    page = Image.new("L", (width, max(height, step * (len(lines) + 4))), 255)
    draw = ImageDraw.Draw(page)
    for n, line in enumerate(lines):
        heading = line.isupper() and len(line) < 40
        face = bold if heading else font
        x = (width - draw.textlength(line, font=face)) / 2 if heading else width // 18
        draw.text((x, step * (n + 2)), line, font=face, fill=0)
    return page


def photograph(page: Image.Image, photo: Photo, seed: int = 1) -> bytes:
    """JPEG bytes of ``page`` as a phone would take it."""
    image = page.convert("L")
    if photo.desk:
        desk = Image.new("L", (image.width + 2 * photo.desk, image.height + 2 * photo.desk), 70)
        desk.paste(image, (photo.desk, photo.desk))
        image = desk
    if photo.angle:
        image = image.rotate(photo.angle, resample=Image.Resampling.BICUBIC, expand=True,
                             fillcolor=70 if photo.desk else 255)
    if photo.blur:
        image = image.filter(ImageFilter.GaussianBlur(photo.blur))
    pixels = np.asarray(image, dtype=np.float32)
    if photo.shade:
        h, w = pixels.shape
        ramp = (np.linspace(0, 1, w)[None, :] + np.linspace(0, 1, h)[:, None]) / 2
        pixels = pixels * (1.0 - photo.shade * ramp)
    if photo.noise:
        pixels = pixels + np.random.default_rng(seed).normal(0, photo.noise, pixels.shape)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=photo.quality)
    return out.getvalue()


# An A4 page at 300 dots per inch, photographed whole: the size of a real phone photo
# (about 2600 x 3600 pixels; 1-2 MB as a JPEG).
PHONE_SIZED = Photo(angle=3.0, blur=2.0, noise=10.0, shade=0.4, desk=120, quality=85)


def phone_sized_photo(kind: str = "military_contract", seed: int = 1) -> bytes:
    page = render(PAGES[kind], font_size=50, width=2480, height=3508)
    return photograph(page, PHONE_SIZED, seed=seed)
