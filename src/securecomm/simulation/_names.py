"""Names, birthplaces and physical descriptors for synthetic people.

Name pools are grouped by naming tradition so a person's name fits their birthplace.
Country codes: ``iso`` (two-letter ISO 3166, used in immigration encounter details) and
``ncic`` (the place-of-birth code on a booking; approximations of the NCIC table,
synthetic where unsure).
"""

from __future__ import annotations

from dataclasses import dataclass

SURNAMES: dict[str, tuple[str, ...]] = {
    "anglo": (
        "SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "MILLER", "DAVIS", "WILSON",
        "ANDERSON", "TAYLOR", "THOMAS", "MOORE", "MARTIN", "THOMPSON", "WHITE", "CLARK",
        "LEWIS", "WALKER", "HALL", "ALLEN", "YOUNG", "KING", "WRIGHT", "SCOTT", "GREEN",
        "BAKER", "ADAMS", "NELSON", "HILL", "CAMPBELL", "MITCHELL", "CARTER", "ROBERTS",
        "PHILLIPS", "EVANS", "TURNER", "PARKER", "COLLINS", "EDWARDS", "STEWART", "MORRIS",
        "MURPHY", "COOK", "ROGERS", "MORGAN", "COOPER", "PETERSON", "REED", "BAILEY", "KELLY",
        "HOWARD", "WARD", "COX", "RICHARDSON", "WOOD", "WATSON", "BROOKS", "BENNETT", "GRAY",
        "HUGHES", "PRICE", "SANDERS", "MYERS", "LONG", "ROSS", "FOSTER", "POWELL", "JENKINS",
        "PERRY", "RUSSELL", "SULLIVAN", "BELL", "COLEMAN", "BUTLER", "HENDERSON", "BARNES",
        "FISHER", "HAYES", "MYERS", "FORD", "GRAHAM", "WALLACE", "WEST", "COLE", "HAYNES",
    ),
    "black_us": (
        "WASHINGTON", "JEFFERSON", "BANKS", "JACKSON", "MOSLEY", "BOOKER", "HARRIS",
        "ROBINSON", "WILLIAMS", "JOHNSON", "BROWN", "JONES", "DAVIS", "THOMAS", "JACKSON",
        "WHITE", "GREEN", "CARTER", "MITCHELL", "COLEMAN", "BUTLER", "SIMMONS", "GRAHAM",
        "WALKER", "WATKINS", "DIXON", "GAINES", "HOLLOWAY", "FREEMAN", "MAYS", "GORDON",
    ),
    "hispanic": (
        "GARCIA", "RODRIGUEZ", "MARTINEZ", "HERNANDEZ", "LOPEZ", "GONZALEZ", "PEREZ",
        "SANCHEZ", "RAMIREZ", "TORRES", "FLORES", "RIVERA", "GOMEZ", "DIAZ", "REYES",
        "MORALES", "CRUZ", "ORTIZ", "GUTIERREZ", "CHAVEZ", "RAMOS", "RUIZ", "ALVAREZ",
        "MENDOZA", "CASTILLO", "JIMENEZ", "VASQUEZ", "MORENO", "HERRERA", "MEDINA", "AGUILAR",
        "VARGAS", "CASTRO", "GUZMAN", "FERNANDEZ", "JUAREZ", "MUNOZ", "SALAZAR", "ROMERO",
        "DOMINGUEZ", "SOTO", "DELGADO", "VEGA", "CONTRERAS", "ESTRADA", "NAVARRO", "CORTEZ",
        "CAMPOS", "PENA", "GUERRERO", "RIOS", "SANDOVAL", "LUNA", "ESPINOZA", "ORELLANA",
        "ALVARADO", "CARDENAS", "VELASQUEZ", "MEJIA", "ZELAYA", "ESCOBAR", "PINEDA", "LEMUS",
    ),
    "chinese": (
        "WANG", "LI", "ZHANG", "LIU", "CHEN", "YANG", "HUANG", "ZHAO", "WU", "ZHOU", "XU",
        "SUN", "MA", "ZHU", "HU", "GUO", "LIN", "HE", "GAO", "LUO", "ZHENG", "LIANG",
    ),
    "vietnamese": (
        "NGUYEN", "TRAN", "LE", "PHAM", "HOANG", "PHAN", "VU", "DANG", "BUI", "DO", "HO",
        "NGO", "DUONG", "LY",
    ),
    "filipino": (
        "SANTOS", "REYES", "CRUZ", "BAUTISTA", "OCAMPO", "GARCIA", "MENDOZA", "TORRES",
        "DELA CRUZ", "AQUINO", "VILLANUEVA", "CASTILLO", "MANALO", "PASCUAL",
    ),
    "korean": ("KIM", "LEE", "PARK", "CHOI", "JUNG", "KANG", "CHO", "YOON", "JANG", "LIM"),
    "indian": (
        "PATEL", "SHAH", "SINGH", "KUMAR", "SHARMA", "GUPTA", "REDDY", "RAO", "MEHTA",
        "DESAI", "IYER", "NAIR", "JOSHI", "CHOPRA",
    ),
    "haitian": (
        "JEAN", "PIERRE", "JOSEPH", "LOUIS", "CHARLES", "BAPTISTE", "ETIENNE", "DORVAL",
        "AUGUSTIN", "CELESTIN", "DESIR", "FLEURANT",
    ),
    "african": (
        "OKAFOR", "ADEYEMI", "OKONKWO", "BELLO", "ABUBAKAR", "NWOSU", "EZE", "OLADIPO",
        "MENSAH", "OWUSU", "BOATENG", "ASANTE",
    ),
}  # fmt: skip

GIVEN_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "anglo": {
        "M": ("JAMES", "JOHN", "ROBERT", "MICHAEL", "WILLIAM", "DAVID", "RICHARD", "JOSEPH",
              "THOMAS", "CHARLES", "CHRISTOPHER", "DANIEL", "MATTHEW", "ANTHONY", "MARK",
              "DONALD", "STEVEN", "PAUL", "ANDREW", "JOSHUA", "KEVIN", "BRIAN", "GEORGE",
              "TIMOTHY", "RYAN", "JASON", "JEFFREY", "GARY", "ERIC", "JACOB", "TYLER"),
        "F": ("MARY", "PATRICIA", "JENNIFER", "LINDA", "ELIZABETH", "BARBARA", "SUSAN",
              "JESSICA", "SARAH", "KAREN", "LISA", "NANCY", "BETTY", "MARGARET", "SANDRA",
              "ASHLEY", "KIMBERLY", "EMILY", "DONNA", "MICHELLE", "AMANDA", "MELISSA",
              "STEPHANIE", "REBECCA", "LAURA", "AMY", "ANGELA", "HEATHER", "NICOLE"),
    },
    "black_us": {
        "M": ("DESHAWN", "TYRONE", "MARCUS", "DARNELL", "JAMAL", "ANDRE", "TERRELL",
              "CEDRIC", "DERRICK", "REGINALD", "MALIK", "ANTHONY", "MICHAEL", "JAMES",
              "KEITH", "CURTIS", "ISAIAH"),
        "F": ("KEISHA", "TANISHA", "LATOYA", "EBONY", "JASMINE", "SHANICE", "AALIYAH",
              "MONIQUE", "TIARA", "DESTINY", "ANGELA", "PATRICIA", "BRENDA"),
    },
    "hispanic": {
        "M": ("JOSE", "JUAN", "LUIS", "CARLOS", "JESUS", "JORGE", "MIGUEL", "FRANCISCO",
              "ANTONIO", "ALEJANDRO", "PEDRO", "RICARDO", "FERNANDO", "MANUEL", "RAFAEL",
              "JAVIER", "ROBERTO", "EDUARDO", "OSCAR", "MARIO", "VICTOR", "SERGIO",
              "ALBERTO", "RAUL", "HECTOR", "ERICK", "WILMER", "SANTOS", "NELSON", "DANIEL"),
        "F": ("MARIA", "GUADALUPE", "JUANA", "ROSA", "ANA", "CARMEN", "MARTHA", "LETICIA",
              "VERONICA", "ALEJANDRA", "GABRIELA", "ADRIANA", "CLAUDIA", "SANDRA", "PATRICIA",
              "YESENIA", "BLANCA", "SILVIA", "LUCIA", "ELENA", "DIANA", "KARLA", "ESMERALDA"),
    },
    "chinese": {
        "M": ("WEI", "JIAN", "MING", "HAO", "JUN", "LEI", "TAO", "YONG", "BIN", "QIANG"),
        "F": ("LI", "FANG", "YING", "HUI", "XIU", "JING", "MEI", "LAN", "YAN", "XIA"),
    },
    "vietnamese": {
        "M": ("MINH", "TUAN", "HUNG", "DUC", "THANH", "QUANG", "LONG", "NAM", "HIEU"),
        "F": ("LAN", "HOA", "MAI", "LINH", "THAO", "HUONG", "TRANG", "NGOC", "PHUONG"),
    },
    "filipino": {
        "M": ("JOSE", "JUAN", "MARK", "JOHN", "RODEL", "JOMAR", "ARNEL", "RONALDO", "EDGAR"),
        "F": ("MARIA", "KRISTINE", "JOY", "MARICEL", "ROWENA", "JENNYLYN", "ANGELICA"),
    },
    "korean": {
        "M": ("MIN-JUN", "JI-HOON", "SUNG-HO", "DONG-HYUN", "JAE-WON", "HYUN-WOO"),
        "F": ("JI-YOUNG", "SO-YEON", "MIN-JI", "EUN-JI", "HYE-JIN", "SU-JIN"),
    },
    "indian": {
        "M": ("RAHUL", "AMIT", "RAJESH", "SANJAY", "VIKRAM", "ANIL", "SURESH", "ARJUN"),
        "F": ("PRIYA", "ANJALI", "SUNITA", "KAVITA", "DEEPA", "NEHA", "POOJA", "LAKSHMI"),
    },
    "haitian": {
        "M": ("JEAN", "PIERRE", "JACQUES", "EMMANUEL", "WILNER", "FRANTZ", "RENEL", "LOUIS"),
        "F": ("MARIE", "ROSELINE", "NADEGE", "WIDELINE", "MIRLANDE", "FABIOLA", "GUERDA"),
    },
    "african": {
        "M": ("CHUKWUEMEKA", "OLUWASEUN", "IBRAHIM", "KWAME", "EMEKA", "TUNDE", "KOFI"),
        "F": ("NGOZI", "ADAEZE", "FUNMILAYO", "AMA", "ABENA", "CHIAMAKA", "FOLAKE"),
    },
}  # fmt: skip


@dataclass(frozen=True)
class Country:
    iso: str
    ncic: str
    name: str
    names: str  # key into SURNAMES / GIVEN_NAMES
    weight: float  # share of the foreign-born synthetic population
    races: tuple[tuple[str, float], ...]  # EBTS race code and share


_W = (("W", 1.0),)
COUNTRIES: tuple[Country, ...] = (
    Country("MX", "MM", "Mexico", "hispanic", 0.44, (("W", 0.95), ("I", 0.05))),
    Country("GT", "GT", "Guatemala", "hispanic", 0.07, (("W", 0.8), ("I", 0.2))),
    Country("SV", "ES", "El Salvador", "hispanic", 0.07, _W),
    Country("HN", "HO", "Honduras", "hispanic", 0.06, (("W", 0.9), ("B", 0.1))),
    Country("CU", "CU", "Cuba", "hispanic", 0.03, (("W", 0.8), ("B", 0.2))),
    Country("DO", "DR", "Dominican Republic", "hispanic", 0.03, (("W", 0.5), ("B", 0.5))),
    Country("CO", "CL", "Colombia", "hispanic", 0.02, _W),
    Country("IN", "II", "India", "indian", 0.04, (("A", 1.0),)),
    Country("CN", "CH", "China", "chinese", 0.04, (("A", 1.0),)),
    Country("PH", "PI", "Philippines", "filipino", 0.04, (("A", 1.0),)),
    Country("VN", "VN", "Vietnam", "vietnamese", 0.03, (("A", 1.0),)),
    Country("KR", "KO", "South Korea", "korean", 0.02, (("A", 1.0),)),
    Country("HT", "HA", "Haiti", "haitian", 0.02, (("B", 1.0),)),
    Country("JM", "JM", "Jamaica", "black_us", 0.02, (("B", 1.0),)),
    Country("NG", "NR", "Nigeria", "african", 0.01, (("B", 1.0),)),
    Country("GB", "UK", "United Kingdom", "anglo", 0.02, _W),
    Country("CA", "CD", "Canada", "anglo", 0.02, _W),
)

# U.S.-born people: naming tradition and EBTS race code, with shares.
US_BORN_ORIGINS: tuple[tuple[str, str, float], ...] = (
    ("anglo", "W", 0.58),
    ("black_us", "B", 0.16),
    ("hispanic", "W", 0.19),
    ("chinese", "A", 0.02),
    ("vietnamese", "A", 0.01),
    ("filipino", "A", 0.01),
    ("korean", "A", 0.01),
    ("anglo", "I", 0.01),
    ("anglo", "U", 0.01),
)

EYE_COLOURS: tuple[str, ...] = ("BRO", "BLK", "BLU", "GRN", "HAZ", "GRY")
DARK_EYE_WEIGHTS: tuple[float, ...] = (0.8, 0.15, 0.01, 0.01, 0.03, 0.0)
MIXED_EYE_WEIGHTS: tuple[float, ...] = (0.45, 0.05, 0.27, 0.09, 0.12, 0.02)
HAIR_COLOURS: tuple[str, ...] = ("BLK", "BRO", "BLN", "RED", "GRY", "BAL")
DARK_HAIR_WEIGHTS: tuple[float, ...] = (0.75, 0.17, 0.0, 0.0, 0.05, 0.03)
MIXED_HAIR_WEIGHTS: tuple[float, ...] = (0.2, 0.5, 0.15, 0.04, 0.07, 0.04)
