"""Guangzhou's eleven districts: each has a district office that reviews its cases."""

DISTRICTS = {
    "yuexiu": ("越秀区", "Yuexiu"),
    "haizhu": ("海珠区", "Haizhu"),
    "liwan": ("荔湾区", "Liwan"),
    "tianhe": ("天河区", "Tianhe"),
    "baiyun": ("白云区", "Baiyun"),
    "huangpu": ("黄埔区", "Huangpu"),
    "panyu": ("番禺区", "Panyu"),
    "huadu": ("花都区", "Huadu"),
    "nansha": ("南沙区", "Nansha"),
    "conghua": ("从化区", "Conghua"),
    "zengcheng": ("增城区", "Zengcheng"),
}


def district_label(code: str | None, locale: str = "zh_CN") -> str:
    names = DISTRICTS.get(code or "")
    if not names:
        return code or ""
    return names[0] if locale.startswith("zh") else names[1]


def district_office_group(code: str) -> str:
    return f"district_office:{code}"
