"""The industrial chains of the programme, with the codes problem numbers carry (GZ-<code>-…)."""

CHAINS = {   # code -> (Chinese name, English name)
    "NEV": ("新能源汽车", "New-energy vehicles"),
    "UHD": ("超高清视频", "Ultra-HD video"),
    "BIO": ("生物医药", "Biomedicine"),
    "IEQ": ("智能装备", "Intelligent equipment"),
    "SEMI": ("半导体", "Semiconductors"),
    "ICT": ("新一代信息技术", "Next-generation ICT"),
    "NMAT": ("新材料", "New materials"),
    "FOOD": ("食品", "Food"),
}

SEGMENTS = ("upstream", "midstream", "downstream")
SEGMENT_NAMES = {"upstream": ("上游", "Upstream"), "midstream": ("中游", "Midstream"),
                 "downstream": ("下游", "Downstream")}


def chain_label(code: str | None, locale: str = "zh_CN") -> str:
    names = CHAINS.get(code or "")
    if not names:
        return code or ""
    return names[0] if locale.startswith("zh") else names[1]


def chain_code_for(domain: str) -> str | None:
    """The code of a chain named as a consortium names its domain (智能装备 -> IEQ), or None."""
    text = (domain or "").strip()
    for code, (zh, en) in CHAINS.items():
        if text in (zh, en, code):
            return code
    return None


def position_label(segment: str, link: str, locale: str = "zh_CN") -> str:
    """上游-原材料: a segment and, if given, the link within it."""
    names = SEGMENT_NAMES.get(segment)
    name = (names[0] if locale.startswith("zh") else names[1]) if names else segment
    return f"{name}-{link}" if link else name
