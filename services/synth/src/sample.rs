//! The Shanghai sample network (`seed/shanghai-sample.json`): a small, made-up network around the
//! four sites the source paper surveyed, written by hand so that every kind of gap is present at
//! 2026-06-30; members and volunteering rows come from a fixed-seed RNG.

use crate::names::{SKILLS, person_name};
use dangjian_model::{
    Adjacency, Bundle, Committee, Community, Date, District, Id, ItemStatus, MassLink, MassOrg,
    MassOrgType, Member, Need, Partnership, PartyOrg, PartyOrgLevel, Project, ProjectStatus,
    Resource, Responsibility, ServiceDomain, SocialOrg, Street, StreetKind, Unit, UnitCategory,
    Volunteering,
};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The date the sample is designed around: every gap kind shows up at this `as_of`.
pub const SAMPLE_AS_OF: &str = "2026-06-30";

/// Ids of the four residents' committees / community the paper surveyed.
pub const SURVEYED_SITES: [&str; 4] = ["K-TINGYI", "C-XINKAI", "K-JINZHU", "K-SQ424"];

const DISTRICTS: [(&str, &str); 3] = [("D-SJ", "松江区"), ("D-PT", "普陀区"), ("D-JA", "静安区")];

#[rustfmt::skip]
const STREETS: [(&str, &str, &str, StreetKind); 6] = [
    ("S-JLT", "九里亭街道", "D-SJ", StreetKind::Street),
    ("S-SJ", "泗泾镇", "D-SJ", StreetKind::Town),
    ("S-TP", "桃浦镇", "D-PT", StreetKind::Town),
    ("S-ZR", "真如镇街道", "D-PT", StreetKind::Street),
    ("S-PPXC", "彭浦新村街道", "D-JA", StreetKind::Street),
    ("S-PPZ", "彭浦镇", "D-JA", StreetKind::Town),
];

#[rustfmt::skip]
const COMMUNITIES: [(&str, &str, &str); 12] = [
    ("C-JLT-N", "九里亭北社区", "S-JLT"),
    ("C-JLT-S", "九里亭南社区", "S-JLT"),
    ("C-XINKAI", "新凯社区", "S-SJ"),
    ("C-SJ-GZ", "泗泾古镇社区", "S-SJ"),
    ("C-TP-JZ", "锦竹社区", "S-TP"),
    ("C-TP-WW", "武威社区", "S-TP"),
    ("C-ZR-E", "真如东社区", "S-ZR"),
    ("C-ZR-W", "真如西社区", "S-ZR"),
    ("C-PPXC-SQ", "三泉社区", "S-PPXC"),
    ("C-PPXC-LF", "临汾社区", "S-PPXC"),
    ("C-PPZ-GK", "共康社区", "S-PPZ"),
    ("C-PPZ-WX", "闻喜社区", "S-PPZ"),
];

#[rustfmt::skip]
const COMMITTEES: [(&str, &str, &str, u64); 36] = [
    ("K-TINGYI", "亭谊居委会", "C-JLT-N", 2860),
    ("K-JLT-TY2", "亭宜苑居委会", "C-JLT-N", 1950),
    ("K-JLT-LY", "涞亭居委会", "C-JLT-N", 3120),
    ("K-JLT-NZ", "南朱居委会", "C-JLT-S", 1480),
    ("K-JLT-HY", "华亭佳园居委会", "C-JLT-S", 2240),
    ("K-JLT-XM", "新梅居委会", "C-JLT-S", 3400),
    ("K-XK-1", "新凯一村居委会", "C-XINKAI", 2650),
    ("K-XK-2", "新凯二村居委会", "C-XINKAI", 3050),
    ("K-XK-3", "新凯三村居委会", "C-XINKAI", 3780),
    ("K-SJ-GZ", "古镇居委会", "C-SJ-GZ", 1120),
    ("K-SJ-JC", "江川居委会", "C-SJ-GZ", 860),
    ("K-SJ-NEW", "泗泾新苑居委会（筹）", "C-SJ-GZ", 0),
    ("K-JINZHU", "安居锦竹苑居委会", "C-TP-JZ", 2100),
    ("K-TP-ZT", "紫藤苑居委会", "C-TP-JZ", 1760),
    ("K-TP-JY", "金鹰居委会", "C-TP-JZ", 2480),
    ("K-TP-WW", "武威新村居委会", "C-TP-WW", 3300),
    ("K-TP-LZ", "绿洲居委会", "C-TP-WW", 1350),
    ("K-TP-QL", "祁连新苑居委会", "C-TP-WW", 2050),
    ("K-ZR-HF", "华丰居委会", "C-ZR-E", 1820),
    ("K-ZR-XF", "星峰苑居委会", "C-ZR-E", 2740),
    ("K-ZR-TC", "铜川居委会", "C-ZR-E", 1190),
    ("K-ZR-MC", "梅川居委会", "C-ZR-W", 960),
    ("K-ZR-XY", "西园居委会", "C-ZR-W", 2330),
    ("K-ZR-FL", "枫林苑居委会", "C-ZR-W", 1580),
    ("K-SQ424", "三泉路424弄居委会", "C-PPXC-SQ", 1680),
    ("K-PPXC-SQ2", "三泉路510弄居委会", "C-PPXC-SQ", 2210),
    ("K-PPXC-SQ3", "三泉新苑居委会", "C-PPXC-SQ", 1430),
    ("K-PPXC-LF1", "临汾一村居委会", "C-PPXC-LF", 2890),
    ("K-PPXC-LF2", "临汾二村居委会", "C-PPXC-LF", 3150),
    ("K-PPXC-LN", "岭南居委会", "C-PPXC-LF", 1740),
    ("K-PPZ-GK1", "共康一村居委会", "C-PPZ-GK", 2560),
    ("K-PPZ-GK2", "共康二村居委会", "C-PPZ-GK", 1980),
    ("K-PPZ-WY", "文怡苑居委会", "C-PPZ-GK", 880),
    ("K-PPZ-WX1", "闻喜一村居委会", "C-PPZ-WX", 1320),
    ("K-PPZ-WX2", "闻喜二村居委会", "C-PPZ-WX", 2670),
    ("K-PPZ-HT", "和泰花园居委会", "C-PPZ-WX", 3950),
];

/// Committees without a party organisation (blank spot `no_party_org`).
const WITHOUT_PARTY_ORG: [&str; 2] = ["K-SJ-NEW", "K-ZR-FL"];

/// Committees where no member has registered (blank spot `no_members`).
const WITHOUT_MEMBERS: [&str; 2] = ["K-SJ-NEW", "K-PPZ-HT"];

/// Borders across communities and streets (rings inside each community are added in code).
#[rustfmt::skip]
const CROSS_ADJACENCY: [(&str, &str); 10] = [
    ("K-JLT-LY", "K-JLT-NZ"),
    ("K-JLT-XM", "K-XK-1"),
    ("K-XK-3", "K-SJ-GZ"),
    ("K-TP-JY", "K-TP-WW"),
    ("K-TP-QL", "K-ZR-HF"),
    ("K-ZR-FL", "K-ZR-TC"),
    ("K-SQ424", "K-PPXC-LF1"),
    ("K-PPXC-SQ3", "K-PPZ-GK1"),
    ("K-PPXC-LN", "K-PPZ-WX1"),
    ("K-PPZ-WY", "K-PPZ-WX2"),
];

use UnitCategory::{Enterprise, Government, Hospital, Other, PublicInstitution, School};

#[rustfmt::skip]
const UNITS: [(&str, &str, UnitCategory, &str, &str); 40] = [
    ("U-JLT-TECH", "上海九亭智联科技有限公司", Enterprise, "信息技术", "S-JLT"),
    ("U-JLT-MACH", "松江九亭精工机械有限公司", Enterprise, "制造业", "S-JLT"),
    ("U-JLT-SCH", "九亭第三实验小学", School, "教育", "S-JLT"),
    ("U-JLT-CHC", "九里亭街道社区卫生服务中心", Hospital, "医疗卫生", "S-JLT"),
    ("U-JLT-POL", "九亭警务工作站", Government, "公共管理", "S-JLT"),
    ("U-JLT-LIB", "九里亭文化活动中心", PublicInstitution, "文化", "S-JLT"),
    ("U-JLT-PROP", "亭谊物业管理有限公司", Enterprise, "物业服务", "S-JLT"),
    ("U-SJ-LOG", "泗泾远通物流有限公司", Enterprise, "物流", "S-SJ"),
    ("U-SJ-BANK", "泗泾联信村镇银行营业部", Enterprise, "金融", "S-SJ"),
    ("U-SJ-SCH", "泗泾新凯学校", School, "教育", "S-SJ"),
    ("U-SJ-HOSP", "泗泾新城医院", Hospital, "医疗卫生", "S-SJ"),
    ("U-SJ-TAX", "泗泾税务服务站", Government, "公共管理", "S-SJ"),
    ("U-SJ-LAW", "泗泾明律律师事务所", Other, "法律服务", "S-SJ"),
    ("U-SJ-MALL", "泗泾凯旋商业广场", Enterprise, "商贸零售", "S-SJ"),
    ("U-TP-PHARM", "桃浦康源医药有限公司", Enterprise, "医药制造", "S-TP"),
    ("U-TP-SCI", "桃浦智创城科创服务中心", PublicInstitution, "科技服务", "S-TP"),
    ("U-TP-KG", "锦竹苑幼儿园", School, "教育", "S-TP"),
    ("U-TP-CHC", "桃浦镇社区卫生服务中心", Hospital, "医疗卫生", "S-TP"),
    ("U-TP-CG", "桃浦城管执法中队", Government, "公共管理", "S-TP"),
    ("U-TP-SOC", "桃浦颐和养老服务社", Other, "养老服务", "S-TP"),
    ("U-ZR-DEPT", "真如副中心商业管理有限公司", Enterprise, "商贸零售", "S-ZR"),
    ("U-ZR-IT", "真如云数信息技术有限公司", Enterprise, "信息技术", "S-ZR"),
    ("U-ZR-HS", "真如实验高级中学", School, "教育", "S-ZR"),
    ("U-ZR-HOSP", "真如中心医院", Hospital, "医疗卫生", "S-ZR"),
    ("U-ZR-ARCH", "普陀区档案便民服务中心", PublicInstitution, "公共服务", "S-ZR"),
    ("U-ZR-ASSOC", "真如商会", Other, "行业协会", "S-ZR"),
    ("U-PP-MECH", "彭浦机电设备有限公司", Enterprise, "制造业", "S-PPXC"),
    ("U-PP-SCH", "彭浦新村第五小学", School, "教育", "S-PPXC"),
    ("U-PP-CHC", "彭浦新村街道社区卫生服务中心", Hospital, "医疗卫生", "S-PPXC"),
    ("U-PP-JUS", "彭浦新村司法所", Government, "司法行政", "S-PPXC"),
    ("U-PP-CULT", "彭浦文化馆", PublicInstitution, "文化", "S-PPXC"),
    ("U-PP-BUS", "彭浦公交运营有限公司", Enterprise, "交通运输", "S-PPXC"),
    ("U-PP-CHARITY", "彭浦慈善超市", Other, "慈善", "S-PPXC"),
    ("U-PPZ-AUTO", "共康汽车服务有限公司", Enterprise, "汽车服务", "S-PPZ"),
    ("U-PPZ-FOOD", "闻喜食品有限公司", Enterprise, "食品制造", "S-PPZ"),
    ("U-PPZ-SCH", "共康中学", School, "教育", "S-PPZ"),
    ("U-PPZ-HOSP", "彭浦镇社区卫生服务中心", Hospital, "医疗卫生", "S-PPZ"),
    ("U-PPZ-GOV", "彭浦镇市场监管所", Government, "市场监管", "S-PPZ"),
    ("U-PPZ-YOUTH", "彭浦青少年活动中心", PublicInstitution, "青少年服务", "S-PPZ"),
    ("U-PPZ-IDLE", "闻喜贸易有限公司", Enterprise, "商贸零售", "S-PPZ"),
];

/// Party organisations of units: (unit, name, level, parent).
#[rustfmt::skip]
const UNIT_PARTY_ORGS: [(&str, &str, PartyOrgLevel, Option<&str>); 4] = [
    ("U-ZR-HOSP", "中共真如中心医院委员会", PartyOrgLevel::Committee, None),
    ("U-JLT-TECH", "九亭智联科技党支部", PartyOrgLevel::Branch, Some("P-S-JLT")),
    ("U-PP-MECH", "彭浦机电党总支", PartyOrgLevel::GeneralBranch, Some("P-S-PPXC")),
    ("U-TP-PHARM", "康源医药党支部", PartyOrgLevel::Branch, Some("P-S-TP")),
];

#[rustfmt::skip]
const MASS_ORGS: [(&str, &str, MassOrgType); 10] = [
    ("G-SJ-UNION", "松江区总工会", MassOrgType::Union),
    ("G-SJ-YOUTH", "共青团松江区委员会", MassOrgType::YouthLeague),
    ("G-SJ-WOMEN", "松江区妇女联合会", MassOrgType::WomenFederation),
    ("G-PT-UNION", "普陀区总工会", MassOrgType::Union),
    ("G-PT-YOUTH", "共青团普陀区委员会", MassOrgType::YouthLeague),
    ("G-PT-WOMEN", "普陀区妇女联合会", MassOrgType::WomenFederation),
    ("G-JA-UNION", "静安区总工会", MassOrgType::Union),
    ("G-JA-YOUTH", "共青团静安区委员会", MassOrgType::YouthLeague),
    ("G-JA-WOMEN", "静安区妇女联合会", MassOrgType::WomenFederation),
    ("G-SJ-DISAB", "松江区残疾人联合会", MassOrgType::Other),
];

#[rustfmt::skip]
const MASS_LINKS: [(&str, &str, &str); 21] = [
    ("G-SJ-UNION", "S-JLT", "employment"),
    ("G-SJ-UNION", "C-XINKAI", "employment"),
    ("G-SJ-YOUTH", "C-JLT-N", "education_training"),
    ("G-SJ-YOUTH", "K-XK-1", "culture_sports"),
    ("G-SJ-WOMEN", "S-JLT", "childcare"),
    ("G-SJ-WOMEN", "S-SJ", "poverty_relief"),
    ("G-SJ-DISAB", "S-SJ", "disability_support"),
    ("G-PT-UNION", "S-TP", "employment"),
    ("G-PT-UNION", "C-ZR-E", "legal_aid"),
    ("G-PT-YOUTH", "C-TP-JZ", "education_training"),
    ("G-PT-YOUTH", "K-ZR-HF", "culture_sports"),
    ("G-PT-WOMEN", "S-TP", "childcare"),
    ("G-PT-WOMEN", "C-ZR-E", "poverty_relief"),
    ("G-JA-UNION", "S-PPXC", "employment"),
    ("G-JA-UNION", "C-PPZ-GK", "employment"),
    ("G-JA-YOUTH", "C-PPXC-SQ", "education_training"),
    ("G-JA-YOUTH", "K-PPZ-GK1", "culture_sports"),
    ("G-JA-WOMEN", "S-PPXC", "childcare"),
    ("G-JA-WOMEN", "C-PPZ-GK", "poverty_relief"),
    ("G-JA-WOMEN", "K-PPZ-WX1", "psychological"),
    ("G-JA-YOUTH", "K-SQ424", "culture_sports"),
];

#[rustfmt::skip]
const SOCIAL_ORGS: [(&str, &str, &str, &[&str]); 8] = [
    ("O-JLT-ELDER", "九亭乐龄养老服务社", "S-JLT", &["elderly_care", "culture_sports"]),
    ("O-JLT-PSY", "心晴心理咨询服务中心", "S-JLT", &["psychological"]),
    ("O-SJ-EMP", "泗泾就业帮扶服务社", "S-SJ", &["employment", "education_training"]),
    ("O-TP-CHILD", "桃浦童心托育服务中心", "S-TP", &["childcare"]),
    ("O-ZR-LAW", "真如邻里法律服务社", "S-ZR", &["legal_aid"]),
    ("O-PP-GREEN", "彭浦绿意环保服务社", "S-PPXC", &["greening"]),
    ("O-PP-SAFE", "彭浦平安志愿者协会", "S-PPXC", &["public_safety"]),
    ("O-PPZ-AID", "共康助残服务中心", "S-PPZ", &["disability_support", "poverty_relief"]),
];

/// Co-building agreements: (unit, target, signed, expires).
#[rustfmt::skip]
const PARTNERSHIPS: [(&str, &str, &str, Option<&str>); 62] = [
    ("U-JLT-TECH", "S-JLT", "2023-03-01", Some("2027-02-28")),
    ("U-JLT-TECH", "K-TINGYI", "2024-05-10", None),
    ("U-JLT-MACH", "C-JLT-S", "2022-06-01", Some("2025-05-31")),
    ("U-JLT-MACH", "C-JLT-S", "2025-06-01", Some("2026-07-15")),
    ("U-JLT-SCH", "K-JLT-TY2", "2024-09-01", None),
    ("U-JLT-CHC", "C-JLT-N", "2023-01-15", Some("2026-12-31")),
    ("U-JLT-CHC", "C-JLT-S", "2023-01-15", Some("2026-12-31")),
    ("U-JLT-POL", "S-JLT", "2024-01-01", None),
    ("U-JLT-LIB", "K-JLT-XM", "2025-03-01", None),
    ("U-JLT-PROP", "K-TINGYI", "2021-04-01", Some("2024-03-31")),
    ("U-JLT-PROP", "K-JLT-LY", "2025-10-01", None),
    ("U-SJ-LOG", "C-XINKAI", "2024-04-01", Some("2027-03-31")),
    ("U-SJ-LOG", "K-XK-1", "2025-01-01", None),
    ("U-SJ-BANK", "S-SJ", "2023-07-01", Some("2026-07-20")),
    ("U-SJ-SCH", "K-XK-2", "2024-02-01", None),
    ("U-SJ-SCH", "K-XK-3", "2024-02-01", None),
    ("U-SJ-HOSP", "C-XINKAI", "2022-11-01", Some("2026-10-31")),
    ("U-SJ-HOSP", "C-SJ-GZ", "2022-11-01", Some("2025-10-31")),
    ("U-SJ-TAX", "K-SJ-GZ", "2025-05-01", None),
    ("U-SJ-LAW", "K-SJ-JC", "2025-09-01", None),
    ("U-SJ-MALL", "K-XK-1", "2026-08-01", None),
    ("U-SJ-MALL", "K-XK-3", "2024-06-01", Some("2026-06-01")),
    ("U-TP-PHARM", "S-TP", "2023-05-01", None),
    ("U-TP-PHARM", "K-JINZHU", "2024-03-01", None),
    ("U-TP-PHARM", "K-ZR-TC", "2025-03-01", None),
    ("U-TP-SCI", "C-TP-JZ", "2024-07-01", Some("2027-06-30")),
    ("U-TP-KG", "K-JINZHU", "2025-02-01", None),
    ("U-TP-CHC", "C-TP-WW", "2023-09-01", Some("2026-08-31")),
    ("U-TP-CHC", "C-TP-JZ", "2023-09-01", Some("2026-08-31")),
    ("U-TP-CG", "K-TP-WW", "2024-10-01", None),
    ("U-TP-SOC", "K-TP-LZ", "2025-04-01", None),
    ("U-TP-SOC", "K-TP-QL", "2022-04-01", Some("2024-04-01")),
    ("U-ZR-DEPT", "C-ZR-E", "2024-01-01", None),
    ("U-ZR-DEPT", "K-ZR-XY", "2024-01-01", None),
    ("U-ZR-IT", "K-ZR-XY", "2025-06-01", None),
    ("U-ZR-IT", "K-ZR-FL", "2025-06-01", None),
    ("U-ZR-HS", "K-ZR-HF", "2024-09-01", None),
    ("U-ZR-HOSP", "C-ZR-E", "2023-02-01", Some("2026-07-10")),
    ("U-ZR-HOSP", "K-ZR-MC", "2023-02-01", Some("2027-01-31")),
    ("U-ZR-HOSP", "S-ZR", "2020-01-01", Some("2023-12-31")),
    ("U-ZR-ARCH", "K-ZR-TC", "2025-01-01", None),
    ("U-ZR-ASSOC", "K-ZR-XF", "2024-06-01", None),
    ("U-PP-MECH", "S-PPXC", "2022-01-01", Some("2026-12-31")),
    ("U-PP-MECH", "K-SQ424", "2023-06-01", None),
    ("U-PP-SCH", "K-SQ424", "2024-09-01", None),
    ("U-PP-SCH", "K-PPXC-SQ2", "2024-09-01", None),
    ("U-PP-CHC", "C-PPXC-SQ", "2023-03-01", None),
    ("U-PP-CHC", "C-PPXC-LF", "2023-03-01", None),
    ("U-PP-JUS", "K-PPXC-LF1", "2025-02-01", None),
    ("U-PP-CULT", "C-PPXC-LF", "2024-05-01", Some("2026-07-25")),
    ("U-PP-BUS", "K-PPXC-SQ3", "2021-01-01", Some("2025-12-31")),
    ("U-PP-CHARITY", "K-PPXC-LN", "2025-07-01", None),
    ("U-PPZ-AUTO", "C-PPZ-GK", "2024-03-01", None),
    ("U-PPZ-FOOD", "K-PPZ-GK1", "2024-05-01", None),
    ("U-PPZ-SCH", "K-PPZ-GK2", "2025-09-01", None),
    ("U-PPZ-HOSP", "S-PPZ", "2021-06-01", Some("2024-05-31")),
    ("U-PPZ-HOSP", "K-PPZ-WY", "2024-06-01", None),
    ("U-PPZ-GOV", "C-PPZ-WX", "2022-01-01", Some("2025-12-31")),
    ("U-PPZ-YOUTH", "K-PPZ-WX1", "2025-01-01", None),
    ("U-PPZ-YOUTH", "K-PPZ-GK1", "2025-01-01", None),
    ("U-PP-MECH", "K-PPZ-GK2", "2025-11-01", Some("2026-10-31")),
    ("U-SJ-HOSP", "K-JLT-XM", "2024-12-01", Some("2026-11-30")),
];

/// Resource list: (id, name, provider, domain, capacity, deployed_to).
/// (id, name, provider, domain, capacity, deployed_to).
type ResourceRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u64,
    &'static [&'static str],
);

#[rustfmt::skip]
const RESOURCES: [ResourceRow; 63] = [
    ("R-001", "家庭医生签约服务", "U-JLT-CHC", "healthcare", 300, &[]),
    ("R-002", "老年慢病健康讲座", "U-JLT-CHC", "elderly_care", 120, &["K-TINGYI", "K-JLT-XM"]),
    ("R-003", "青少年编程兴趣课", "U-JLT-TECH", "education_training", 80, &[]),
    ("R-004", "企业技能培训岗位", "U-JLT-TECH", "employment", 40, &["K-TINGYI"]),
    ("R-005", "社区治安巡逻联防", "U-JLT-POL", "public_safety", 200, &[]),
    ("R-006", "书香阅读活动", "U-JLT-LIB", "culture_sports", 150, &["K-JLT-XM"]),
    ("R-007", "楼道绿化改造", "U-JLT-PROP", "greening", 60, &["K-JLT-LY"]),
    ("R-008", "课后托管服务", "U-JLT-SCH", "childcare", 50, &[]),
    ("R-009", "机械维修技能帮带", "U-JLT-MACH", "employment", 30, &[]),
    ("R-010", "街道党群服务中心活动场地", "S-JLT", "culture_sports", 200, &[]),
    ("R-011", "乐龄助餐服务", "O-JLT-ELDER", "elderly_care", 400, &[]),
    ("R-012", "心晴心理咨询热线", "O-JLT-PSY", "psychological", 100, &[]),
    ("R-013", "就业岗位推介会", "G-SJ-UNION", "employment", 150, &[]),
    ("R-014", "物流岗位定向招聘", "U-SJ-LOG", "employment", 60, &[]),
    ("R-015", "金融知识进社区", "U-SJ-BANK", "education_training", 80, &[]),
    ("R-016", "暑期托班", "U-SJ-SCH", "childcare", 70, &[]),
    ("R-017", "医院专家义诊", "U-SJ-HOSP", "healthcare", 180, &[]),
    ("R-018", "税收政策宣讲", "U-SJ-TAX", "legal_aid", 20, &[]),
    ("R-019", "律师驻点法律咨询", "U-SJ-LAW", "legal_aid", 50, &[]),
    ("R-020", "商场文体活动场地", "U-SJ-MALL", "culture_sports", 100, &[]),
    ("R-021", "新凯就业服务站", "O-SJ-EMP", "employment", 120, &[]),
    ("R-022", "残疾人康复辅具租借", "G-SJ-DISAB", "disability_support", 40, &[]),
    ("R-023", "家庭教育指导", "G-SJ-WOMEN", "childcare", 90, &[]),
    ("R-024", "居家养老服务", "S-SJ", "elderly_care", 350, &[]),
    ("R-025", "惠民药品捐赠", "U-TP-PHARM", "healthcare", 100, &[]),
    ("R-026", "科创讲堂", "U-TP-SCI", "education_training", 60, &[]),
    ("R-027", "亲子课堂", "U-TP-KG", "childcare", 40, &[]),
    ("R-028", "上门巡诊", "U-TP-CHC", "healthcare", 220, &[]),
    ("R-029", "垃圾分类指导", "U-TP-CG", "greening", 80, &[]),
    ("R-030", "助浴服务", "U-TP-SOC", "elderly_care", 60, &[]),
    ("R-031", "临时托管", "O-TP-CHILD", "childcare", 80, &[]),
    ("R-032", "职工技能培训", "G-PT-UNION", "education_training", 100, &["K-TP-WW", "K-TP-QL"]),
    ("R-033", "青年志愿服务队", "G-PT-YOUTH", "culture_sports", 60, &[]),
    ("R-034", "帮困救助金", "S-TP", "poverty_relief", 150, &[]),
    ("R-035", "商圈就业见习岗位", "U-ZR-DEPT", "employment", 50, &[]),
    ("R-036", "数字助老手机课堂", "U-ZR-IT", "elderly_care", 40, &[]),
    ("R-037", "高中生社区志愿服务", "U-ZR-HS", "culture_sports", 30, &[]),
    ("R-038", "专家义诊", "U-ZR-HOSP", "healthcare", 160, &[]),
    ("R-039", "档案查询便民服务", "U-ZR-ARCH", "legal_aid", 25, &[]),
    ("R-040", "商会助困基金", "U-ZR-ASSOC", "poverty_relief", 70, &[]),
    ("R-041", "邻里法律援助", "O-ZR-LAW", "legal_aid", 60, &[]),
    ("R-042", "社区心理疏导站", "C-ZR-W", "psychological", 20, &[]),
    ("R-043", "职业技能培训", "U-PP-MECH", "employment", 80, &[]),
    ("R-044", "四点半课堂", "U-PP-SCH", "childcare", 60, &[]),
    ("R-045", "家庭医生上门服务", "U-PP-CHC", "healthcare", 250, &[]),
    ("R-046", "人民调解与法律讲座", "U-PP-JUS", "legal_aid", 40, &[]),
    ("R-047", "文艺团队培训", "U-PP-CULT", "culture_sports", 120, &[]),
    ("R-048", "公交出行安全宣传", "U-PP-BUS", "public_safety", 50, &[]),
    ("R-049", "爱心物资发放", "U-PP-CHARITY", "poverty_relief", 90, &[]),
    ("R-050", "社区花园营造", "O-PP-GREEN", "greening", 70, &[]),
    ("R-051", "平安楼组巡查", "O-PP-SAFE", "public_safety", 100, &[]),
    ("R-052", "街道助老服务", "S-PPXC", "elderly_care", 300, &["K-SQ424", "K-PPXC-SQ2", "K-PPXC-SQ3"]),
    ("R-053", "汽车职业体验", "U-PPZ-AUTO", "education_training", 30, &[]),
    ("R-054", "爱心早餐", "U-PPZ-FOOD", "poverty_relief", 50, &[]),
    ("R-055", "课后辅导", "U-PPZ-SCH", "education_training", 40, &[]),
    ("R-056", "慢病管理", "U-PPZ-HOSP", "healthcare", 150, &[]),
    ("R-057", "食品安全宣传", "U-PPZ-GOV", "public_safety", 30, &[]),
    ("R-058", "青少年暑期活动", "U-PPZ-YOUTH", "culture_sports", 60, &[]),
    ("R-059", "助残服务", "O-PPZ-AID", "disability_support", 60, &[]),
    ("R-060", "就业援助", "S-PPZ", "employment", 100, &[]),
    ("R-061", "节日慰问品", "U-PPZ-IDLE", "poverty_relief", 20, &[]),
    ("R-062", "职工法律维权", "G-JA-UNION", "legal_aid", 40, &[]),
    ("R-063", "婚姻家庭咨询", "G-JA-WOMEN", "psychological", 30, &["K-PPZ-WX1"]),
];

/// Need list: (id, committee, domain, demand).
#[rustfmt::skip]
const NEEDS: [(&str, &str, &str, u64); 52] = [
    ("N-001", "K-TINGYI", "elderly_care", 200),
    ("N-002", "K-TINGYI", "childcare", 60),
    ("N-003", "K-TINGYI", "employment", 30),
    ("N-004", "K-JLT-TY2", "elderly_care", 150),
    ("N-005", "K-JLT-LY", "greening", 40),
    ("N-006", "K-JLT-LY", "psychological", 50),
    ("N-007", "K-JLT-NZ", "healthcare", 120),
    ("N-008", "K-JLT-HY", "employment", 40),
    ("N-009", "K-JLT-XM", "culture_sports", 90),
    ("N-010", "K-JLT-XM", "elderly_care", 180),
    ("N-011", "K-XK-1", "employment", 80),
    ("N-012", "K-XK-1", "elderly_care", 260),
    ("N-013", "K-XK-2", "childcare", 120),
    ("N-014", "K-XK-3", "healthcare", 150),
    ("N-015", "K-XK-3", "disability_support", 30),
    ("N-016", "K-SJ-GZ", "elderly_care", 300),
    ("N-017", "K-SJ-JC", "legal_aid", 30),
    ("N-018", "K-SJ-JC", "poverty_relief", 40),
    ("N-019", "K-SJ-NEW", "culture_sports", 20),
    ("N-020", "K-JINZHU", "elderly_care", 220),
    ("N-021", "K-JINZHU", "childcare", 80),
    ("N-022", "K-JINZHU", "healthcare", 100),
    ("N-023", "K-TP-ZT", "education_training", 50),
    ("N-024", "K-TP-JY", "poverty_relief", 60),
    ("N-025", "K-TP-WW", "education_training", 90),
    ("N-026", "K-TP-LZ", "elderly_care", 100),
    ("N-027", "K-TP-QL", "healthcare", 70),
    ("N-028", "K-ZR-HF", "culture_sports", 40),
    ("N-029", "K-ZR-XF", "poverty_relief", 50),
    ("N-030", "K-ZR-TC", "employment", 40),
    ("N-031", "K-ZR-MC", "healthcare", 90),
    ("N-032", "K-ZR-MC", "elderly_care", 150),
    ("N-033", "K-ZR-XY", "elderly_care", 80),
    ("N-034", "K-ZR-FL", "psychological", 60),
    ("N-035", "K-ZR-XY", "legal_aid", 20),
    ("N-036", "K-SQ424", "elderly_care", 240),
    ("N-037", "K-SQ424", "childcare", 50),
    ("N-038", "K-SQ424", "public_safety", 40),
    ("N-039", "K-PPXC-SQ2", "elderly_care", 150),
    ("N-040", "K-PPXC-SQ3", "healthcare", 60),
    ("N-041", "K-PPXC-LF1", "legal_aid", 30),
    ("N-042", "K-PPXC-LF2", "culture_sports", 70),
    ("N-043", "K-PPXC-LN", "poverty_relief", 40),
    ("N-044", "K-PPXC-LF2", "greening", 30),
    ("N-045", "K-PPZ-GK1", "education_training", 60),
    ("N-046", "K-PPZ-GK2", "education_training", 40),
    ("N-047", "K-PPZ-WY", "healthcare", 80),
    ("N-048", "K-PPZ-WX1", "psychological", 40),
    ("N-049", "K-PPZ-WX2", "disability_support", 30),
    ("N-050", "K-PPZ-HT", "elderly_care", 200),
    ("N-051", "K-PPZ-HT", "employment", 60),
    ("N-052", "K-PPZ-HT", "psychological", 30),
];

/// Projects: (id, name, committee, needs, resources, status).
/// (id, name, committee, needs, resources, status).
type ProjectRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    ProjectStatus,
);

#[rustfmt::skip]
const PROJECTS: [ProjectRow; 13] = [
    ("PRJ-01", "亭谊“乐龄之家”助餐项目", "K-TINGYI", &["N-001"], &["R-011", "R-002"], ProjectStatus::Active),
    ("PRJ-02", "亭谊家庭教育指导站", "K-TINGYI", &["N-002"], &["R-023"], ProjectStatus::Planned),
    ("PRJ-03", "新凯“家门口就业”服务", "K-XK-1", &["N-011"], &["R-013", "R-014", "R-021"], ProjectStatus::Active),
    ("PRJ-04", "新凯助残康复角", "K-XK-3", &["N-015"], &["R-022"], ProjectStatus::Done),
    ("PRJ-05", "锦竹苑健康小屋", "K-JINZHU", &["N-022"], &["R-028", "R-025"], ProjectStatus::Active),
    ("PRJ-06", "锦竹苑托育点", "K-JINZHU", &["N-021"], &["R-027", "R-031"], ProjectStatus::Planned),
    ("PRJ-07", "武威新村职工课堂", "K-TP-WW", &["N-025"], &["R-032"], ProjectStatus::Done),
    ("PRJ-08", "枫林苑心理驿站", "K-ZR-FL", &["N-034"], &["R-042"], ProjectStatus::Planned),
    ("PRJ-09", "424弄“老伙伴”互助计划", "K-SQ424", &["N-036"], &["R-052"], ProjectStatus::Active),
    ("PRJ-10", "424弄平安楼组", "K-SQ424", &["N-038"], &["R-051"], ProjectStatus::Done),
    ("PRJ-11", "临汾文化睦邻节", "K-PPXC-LF2", &["N-042"], &["R-047"], ProjectStatus::Active),
    ("PRJ-12", "和泰花园养老需求调研", "K-PPZ-HT", &["N-050"], &[], ProjectStatus::Planned),
    ("PRJ-13", "闻喜助残服务", "K-PPZ-WX2", &["N-049"], &["R-059"], ProjectStatus::Active),
];

/// Explicit responsibilities: (id, party org, item, due, status).
#[rustfmt::skip]
const RESPONSIBILITIES: [(&str, &str, &str, Option<&str>, ItemStatus); 24] = [
    ("RSP-01", "P-S-JLT", "每季度召开区域化党建联席会议", Some("2026-03-31"), ItemStatus::Done),
    ("RSP-02", "P-S-JLT", "推动共建资源向居民区下沉，年内实现居民区共建全覆盖", Some("2026-12-31"), ItemStatus::Open),
    ("RSP-03", "P-C-JLT-N", "完成在职党员报到率统计", Some("2026-07-15"), ItemStatus::Open),
    ("RSP-04", "P-K-TINGYI", "建立亭谊居民区需求清单、资源清单、项目清单", Some("2026-05-31"), ItemStatus::Open),
    ("RSP-05", "P-K-TINGYI", "组织在职党员“双报到”志愿服务", None, ItemStatus::Open),
    ("RSP-06", "P-S-SJ", "搭建党建服务站和网络服务平台", Some("2025-12-31"), ItemStatus::Done),
    ("RSP-07", "P-C-XINKAI", "党建服务站开展心理疏导、权益维护、帮困助弱服务", Some("2026-06-15"), ItemStatus::Open),
    ("RSP-08", "P-K-XK-1", "落实新凯一村就业帮扶项目", Some("2026-07-20"), ItemStatus::Open),
    ("RSP-09", "P-S-SJ", "推进泗泾新苑居民区党组织组建", Some("2026-09-30"), ItemStatus::Open),
    ("RSP-10", "P-S-TP", "落实行政事务准入清单，为居委会减负", Some("2026-06-30"), ItemStatus::Open),
    ("RSP-11", "P-K-JINZHU", "对接锦竹苑居民养老服务需求", Some("2026-04-30"), ItemStatus::Open),
    ("RSP-12", "P-C-TP-JZ", "对共建单位开展年度考评", Some("2026-01-31"), ItemStatus::Done),
    ("RSP-13", "P-S-ZR", "完善区域化党建考核评价机制", Some("2026-12-31"), ItemStatus::Open),
    ("RSP-14", "P-C-ZR-W", "推进枫林苑居民区党支部组建", Some("2026-07-25"), ItemStatus::Open),
    ("RSP-15", "P-S-PPXC", "党建引领群团建设，整合群团资源", Some("2026-10-31"), ItemStatus::Open),
    ("RSP-16", "P-K-SQ424", "培育楼组骨干力量", Some("2026-03-31"), ItemStatus::Open),
    ("RSP-17", "P-K-SQ424", "自治金众筹项目公示", Some("2025-11-30"), ItemStatus::Done),
    ("RSP-18", "P-C-PPXC-SQ", "续签到期共建协议", Some("2026-07-10"), ItemStatus::Open),
    ("RSP-19", "P-S-PPZ", "重新签订街镇级共建协议", Some("2026-05-31"), ItemStatus::Open),
    ("RSP-20", "P-C-PPZ-WX", "寻找共建单位，消除无共建空白点", Some("2026-08-31"), ItemStatus::Open),
    ("RSP-21", "P-K-PPZ-WX1", "动员在职党员到居民区报到", Some("2026-07-05"), ItemStatus::Open),
    ("RSP-22", "P-U-ZR-HOSP", "与真如西社区结对开展义诊", Some("2026-09-30"), ItemStatus::Open),
    ("RSP-23", "P-U-JLT-TECH", "组织企业在职党员进社区服务", None, ItemStatus::Done),
    ("RSP-24", "P-C-PPZ-GK", "组建社区青年志愿服务队", Some("2026-02-28"), ItemStatus::Done),
];

fn date(s: &str) -> Date {
    Date::parse_from_str(s, "%Y-%m-%d").expect("sample dates are written as YYYY-MM-DD")
}

fn domain(s: &str) -> ServiceDomain {
    ServiceDomain::parse(s).expect("sample domains are in the controlled vocabulary")
}

fn ids(list: &[&str]) -> Vec<Id> {
    list.iter().map(|s| Id::from(*s)).collect()
}

/// The Shanghai sample network; equal to the parsed `seed/shanghai-sample.json`.
pub fn shanghai_sample() -> Bundle {
    let mut rng = ChaCha8Rng::seed_from_u64(20_260_630);
    let mut b = Bundle {
        districts: DISTRICTS
            .iter()
            .map(|(id, name)| District {
                id: (*id).into(),
                name: (*name).into(),
            })
            .collect(),
        streets: STREETS
            .iter()
            .map(|(id, name, district, kind)| Street {
                id: (*id).into(),
                name: (*name).into(),
                district: (*district).into(),
                kind: *kind,
            })
            .collect(),
        communities: COMMUNITIES
            .iter()
            .map(|(id, name, street)| Community {
                id: (*id).into(),
                name: (*name).into(),
                street: (*street).into(),
            })
            .collect(),
        committees: COMMITTEES
            .iter()
            .map(|(id, name, community, households)| Committee {
                id: (*id).into(),
                name: (*name).into(),
                community: (*community).into(),
                households: *households,
            })
            .collect(),
        ..Bundle::default()
    };

    // Rings inside each community, then the borders across communities and streets.
    for (community, _, _) in COMMUNITIES {
        let ring: Vec<&str> = COMMITTEES
            .iter()
            .filter(|k| k.2 == community)
            .map(|k| k.0)
            .collect();
        for i in 0..ring.len() {
            let (a, c) = (ring[i], ring[(i + 1) % ring.len()]);
            if ring.len() > 2 || i == 0 {
                b.adjacency.push(Adjacency {
                    a: a.into(),
                    b: c.into(),
                });
            }
        }
    }
    for (a, c) in CROSS_ADJACENCY {
        b.adjacency.push(Adjacency {
            a: a.into(),
            b: c.into(),
        });
    }

    // Party organisations: street → community → committee, then a few units.
    for (id, name, _, kind) in STREETS {
        let (org_name, level) = match kind {
            StreetKind::Street => (
                format!("中共{name}工作委员会"),
                PartyOrgLevel::WorkingCommittee,
            ),
            StreetKind::Town => (format!("中共{name}委员会"), PartyOrgLevel::Committee),
        };
        b.party_orgs.push(PartyOrg {
            id: format!("P-{id}").into(),
            name: org_name,
            level,
            parent: None,
            leads: id.into(),
            secretary: person_name(&mut rng),
        });
    }
    for (id, name, street) in COMMUNITIES {
        b.party_orgs.push(PartyOrg {
            id: format!("P-{id}").into(),
            name: format!("中共{name}委员会"),
            level: PartyOrgLevel::Committee,
            parent: Some(format!("P-{street}").into()),
            leads: id.into(),
            secretary: person_name(&mut rng),
        });
    }
    for (id, name, community, households) in COMMITTEES {
        if WITHOUT_PARTY_ORG.contains(&id) {
            continue;
        }
        let area = name.trim_end_matches("居委会");
        let (org_name, level) = if households >= 2500 {
            (
                format!("中共{area}居民区总支部委员会"),
                PartyOrgLevel::GeneralBranch,
            )
        } else {
            (format!("中共{area}居民区支部委员会"), PartyOrgLevel::Branch)
        };
        b.party_orgs.push(PartyOrg {
            id: format!("P-{id}").into(),
            name: org_name,
            level,
            parent: Some(format!("P-{community}").into()),
            leads: id.into(),
            secretary: person_name(&mut rng),
        });
    }
    for (unit, name, level, parent) in UNIT_PARTY_ORGS {
        b.party_orgs.push(PartyOrg {
            id: format!("P-{unit}").into(),
            name: name.into(),
            level,
            parent: parent.map(Into::into),
            leads: unit.into(),
            secretary: person_name(&mut rng),
        });
    }

    b.units = UNITS
        .iter()
        .map(|(id, name, category, industry, street)| Unit {
            id: (*id).into(),
            name: (*name).into(),
            category: *category,
            industry: (*industry).into(),
            street: (*street).into(),
        })
        .collect();
    b.mass_orgs = MASS_ORGS
        .iter()
        .map(|(id, name, kind)| MassOrg {
            id: (*id).into(),
            name: (*name).into(),
            kind: *kind,
        })
        .collect();
    b.social_orgs = SOCIAL_ORGS
        .iter()
        .map(|(id, name, street, domains)| SocialOrg {
            id: (*id).into(),
            name: (*name).into(),
            street: (*street).into(),
            domains: domains.iter().map(|d| domain(d)).collect(),
        })
        .collect();

    b.members = sample_members(&mut rng).into();

    b.partnerships = PARTNERSHIPS
        .iter()
        .enumerate()
        .map(|(i, (unit, target, signed, expires))| Partnership {
            id: format!("CB-{:03}", i + 1).into(),
            unit: (*unit).into(),
            target: (*target).into(),
            signed: date(signed),
            expires: expires.map(date),
        })
        .collect();
    b.mass_links = MASS_LINKS
        .iter()
        .map(|(org, target, d)| MassLink {
            mass_org: (*org).into(),
            target: (*target).into(),
            domain: domain(d),
        })
        .collect();
    b.resources = RESOURCES
        .iter()
        .map(|(id, name, provider, d, capacity, deployed)| Resource {
            id: (*id).into(),
            name: (*name).into(),
            provider: (*provider).into(),
            domain: domain(d),
            capacity: *capacity,
            deployed_to: (!deployed.is_empty()).then(|| ids(deployed)),
        })
        .collect();
    b.needs = NEEDS
        .iter()
        .map(|(id, committee, d, demand)| Need {
            id: (*id).into(),
            committee: (*committee).into(),
            domain: domain(d),
            demand: *demand,
        })
        .collect();
    b.projects = PROJECTS
        .iter()
        .map(|(id, name, committee, needs, resources, status)| Project {
            id: (*id).into(),
            name: (*name).into(),
            committee: (*committee).into(),
            needs: ids(needs),
            resources: ids(resources),
            status: *status,
        })
        .collect();
    b.volunteering = sample_volunteering(&mut rng, &b.members).into();
    b.responsibilities = RESPONSIBILITIES
        .iter()
        .map(|(id, org, item, due, status)| Responsibility {
            id: (*id).into(),
            party_org: (*org).into(),
            item: (*item).into(),
            due: due.map(date),
            status: *status,
        })
        .collect();
    b
}

/// 300 in-service members: most registered at a committee (weighted by households), some not.
fn sample_members(rng: &mut ChaCha8Rng) -> Vec<Member> {
    let open: Vec<(&str, u64)> = COMMITTEES
        .iter()
        .filter(|k| !WITHOUT_MEMBERS.contains(&k.0))
        .map(|k| (k.0, k.3))
        .collect();
    let total: u64 = open.iter().map(|k| k.1).sum();
    (1..=300)
        .map(|i| {
            // Older members dominate, as the paper observes (§3.1).
            let birth_year = if rng.random_bool(0.7) {
                rng.random_range(1960..=1985)
            } else {
                rng.random_range(1986..=2002)
            };
            let registered_at = if i % 10 == 0 {
                None
            } else {
                let mut pick = rng.random_range(0..total);
                let mut chosen = open[0].0;
                for (id, households) in &open {
                    if pick < *households {
                        chosen = id;
                        break;
                    }
                    pick -= households;
                }
                Some(Id::from(chosen))
            };
            let employer = (!rng.random_bool(0.1)).then(|| {
                UNITS
                    .choose(rng)
                    .map(|u| u.0)
                    .unwrap_or("U-JLT-TECH")
                    .into()
            });
            let skills = (0..rng.random_range(0..=2))
                .filter_map(|_| SKILLS.choose(rng).map(|s| s.0.to_owned()))
                .fold(Vec::new(), |mut v: Vec<String>, s| {
                    if !v.contains(&s) {
                        v.push(s);
                    }
                    v
                });
            Member {
                id: format!("M-{i:04}").into(),
                name: person_name(rng),
                birth_year,
                employer,
                registered_at,
                skills,
            }
        })
        .collect()
}

/// About 800 volunteering rows, mostly within the year before 2026-06-30, some older.
fn sample_volunteering(rng: &mut ChaCha8Rng, members: &[Member]) -> Vec<Volunteering> {
    let start = date("2024-07-01");
    let recent = date("2025-07-01");
    let end = date(SAMPLE_AS_OF);
    let recent_days = (end - recent).num_days();
    let old_days = (recent - start).num_days();
    let mut rows = Vec::with_capacity(800);
    while rows.len() < 800 {
        let Some(member) = members.choose(rng) else {
            break;
        };
        // Young members volunteer less (§3.1): skip two out of three draws.
        if member.birth_year >= 1992 && rng.random_range(0..3) != 0 {
            continue;
        }
        let committee = match &member.registered_at {
            Some(k) if rng.random_bool(0.85) => k.clone(),
            _ => {
                let k = COMMITTEES.choose(rng).map(|k| k.0).unwrap_or("K-TINGYI");
                if WITHOUT_MEMBERS.contains(&k) {
                    Id::from("K-TINGYI")
                } else {
                    Id::from(k)
                }
            }
        };
        let domain = member
            .skills
            .choose(rng)
            .and_then(|s| crate::names::skill_domain(s))
            .unwrap_or_else(|| {
                *[
                    ServiceDomain::ElderlyCare,
                    ServiceDomain::CultureSports,
                    ServiceDomain::PublicSafety,
                ]
                .choose(rng)
                .unwrap_or(&ServiceDomain::ElderlyCare)
            });
        let date = if rng.random_bool(0.9) {
            recent + chrono::Days::new(rng.random_range(1..=recent_days) as u64)
        } else {
            start + chrono::Days::new(rng.random_range(0..old_days) as u64)
        };
        let hours = if rng.random_bool(0.02) {
            0.0
        } else {
            f64::from(rng.random_range(1..=12)) * 0.5
        };
        rows.push(Volunteering {
            member: member.id.clone(),
            committee,
            domain,
            hours,
            date,
        });
    }
    rows.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.member.cmp(&b.member)));
    rows
}
