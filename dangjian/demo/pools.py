"""Pools of Chinese names, place names and work units for the demo generator.

Everything is drawn from Faker's zh_CN data (surname frequencies, given names, district names,
company-name prefixes) and a few hand-written lists, precomputed once so that generating
millions of rows never calls Faker per row. All choices go through a seeded ``random.Random``
so a given ``--seed`` always produces the same data.
"""
from __future__ import annotations

import random
from functools import lru_cache

from faker.providers.address.zh_CN import Provider as AddressProvider
from faker.providers.company.zh_CN import Provider as CompanyProvider
from faker.providers.person.zh_CN import Provider as PersonProvider

# Given-name characters typical of each generation (older members carry 建国, 秀英, ...).
_MALE_CHARS = "国建志明文华德永军春海立红平忠新伟强勇成林学庆福金长光荣发祥宝东"
_FEMALE_CHARS = "秀英兰芳玉珍桂凤梅红霞丽敏静燕琴云萍淑华春艳娟"
_YOUNG_MALE = "子浩宇轩晨博涛鹏飞磊杰俊凯然睿泽航哲昊"
_YOUNG_FEMALE = "梓涵欣怡雨婷佳琪思颖诗慧悦彤萱琳雪晴"

PLACE_HEAD = "东西南北前后上下大小新老高平安长永太兴宁清青白黄红金石马牛龙凤河湖山林桥柳杨"
PLACE_TAIL = "庄集营屯店桥湖坡岭沟岗铺寨园口湾堡坪头台洼庙楼泉峪埠圈"
TOWN_TAIL = "城阳安平兴和丰河山林水泉口桥店集坊庄"
CLAN = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"

INDUSTRIES = [
    "农业科技有限公司", "食品有限公司", "机械制造有限公司", "建筑工程有限公司", "纺织有限公司", "物流有限公司",
    "化工有限公司", "新材料有限公司", "果蔬专业合作社", "畜牧养殖有限公司", "商贸有限公司", "电子科技有限公司",
]
COUNTY_ORGANS = [
    "县委办公室", "县政府办公室", "县纪委监委机关", "县委组织部", "县委宣传部", "县委统战部", "县委政法委",
    "县发展和改革局", "县教育和体育局", "县财政局", "县人力资源和社会保障局", "县自然资源和规划局",
    "县住房和城乡建设局", "县交通运输局", "县水利局", "县农业农村局", "县商务局", "县文化和旅游局",
    "县卫生健康局", "县应急管理局", "县审计局", "县市场监督管理局", "县统计局", "县医疗保障局", "县退役军人事务局",
    "县人民法院", "县人民检察院", "县税务局", "县供销合作社", "县总工会", "团县委", "县妇联",
]
CITY_ORGANS = ["市委办公室", "市政府办公室", "市委组织部", "市财政局", "市教育局", "市卫生健康委", "市人民医院", "市第一中学"]
PHONE_PREFIXES = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156", "157",
    "158", "159", "166", "173", "175", "176", "177", "178", "180", "181", "182", "183", "185", "186", "187", "188",
    "189", "191", "193", "195", "198", "199",
]
MINORITIES = ["回族", "满族", "蒙古族", "朝鲜族", "壮族", "土家族", "苗族", "彝族"]
FLOWING_PLACES = ["广东省深圳市", "江苏省苏州市", "浙江省杭州市", "上海市浦东新区", "北京市朝阳区", "天津市滨海新区", "广东省东莞市"]
ORDINALS = "一二三四五六七八九十"


def ordinal(n: int) -> str:
    """Chinese ordinal for 1..99 (第一, 第十二, ...)."""
    if n <= 10:
        return ORDINALS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else ORDINALS[tens - 1]) + "十" + (ORDINALS[ones - 1] if ones else "")


@lru_cache(maxsize=1)
def surnames() -> tuple[list[str], list[float]]:
    """Surnames with their frequencies (Faker zh_CN, from the national surname statistics)."""
    data = PersonProvider.last_names
    return list(data.keys()), list(data.values())


@lru_cache(maxsize=1)
def given_names() -> dict[str, list[str]]:
    """Given-name pools by gender and generation: Faker's names plus generated two-char names."""
    male = list(PersonProvider.first_names_male)
    female = list(PersonProvider.first_names_female)
    old_m = [a + b for a in _MALE_CHARS for b in _MALE_CHARS if a != b]
    old_f = [a + b for a in _FEMALE_CHARS for b in _FEMALE_CHARS if a != b]
    young_m = [a + b for a in _YOUNG_MALE for b in _YOUNG_MALE if a != b]
    young_f = [a + b for a in _YOUNG_FEMALE for b in _YOUNG_FEMALE if a != b]
    return {"M_old": old_m + male, "F_old": old_f + female, "M_young": young_m + male, "F_young": young_f + female}


@lru_cache(maxsize=1)
def company_prefixes() -> list[str]:
    """Faker's zh_CN company-name prefixes without the ones that already say 公司."""
    return [p for p in CompanyProvider.company_prefixes if "公司" not in p and len(p) <= 4]


class NamePool:
    """Fast person names: weighted surname + generation-typical given name."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        names, weights = surnames()
        # Precompute a large weighted sample: random.choices per call with weights is slower.
        self._surnames = rng.choices(names, weights=weights, k=20000)
        self._given = given_names()

    def name(self, gender: str, birth_year: int) -> str:
        pool = self._given[f"{gender}_{'old' if birth_year < 1975 else 'young'}"]
        return self.rng.choice(self._surnames) + self.rng.choice(pool)


class PlaceNames:
    """Unique place names inside one scope (a county's towns, a town's villages...)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def _unique(self, make) -> str:
        for _i in range(200):
            v = make()
            if v not in self.used:
                self.used.add(v)
                return v
        v = make() + str(len(self.used))
        self.used.add(v)
        return v

    def district(self) -> str:
        """A two-character name for a city or county (Faker's district names, then generated ones)."""
        r = self.rng

        def make():
            if r.random() < 0.4:
                return r.choice(AddressProvider.districts)[:2]
            return r.choice(PLACE_HEAD) + r.choice(TOWN_TAIL)

        return self._unique(make)

    def town(self) -> str:
        r = self.rng
        return self._unique(lambda: r.choice(PLACE_HEAD + CLAN[:30]) + r.choice(TOWN_TAIL))

    def village(self) -> str:
        r = self.rng

        def make():
            x = r.random()
            if x < 0.35:
                return r.choice(CLAN) + "家" + r.choice(PLACE_TAIL)
            if x < 0.7:
                return r.choice(PLACE_HEAD) + r.choice(PLACE_TAIL)
            return r.choice(CLAN) + r.choice(PLACE_TAIL)

        return self._unique(make)

    def community(self) -> str:
        r = self.rng
        return self._unique(lambda: r.choice(PLACE_HEAD) + r.choice("园苑城湖山河阳安华兴和") + r.choice(["", "", "东", "西", "南", "北"]))

    def company(self) -> str:
        r = self.rng
        prefixes = company_prefixes()
        return self._unique(lambda: r.choice(prefixes) + r.choice(INDUSTRIES))


def phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
