//! Name tables shared by the sample and the generator: made-up Chinese personal names built from
//! surname and given-name characters, place-name syllables, skills and item templates.

use dangjian_model::ServiceDomain;
use rand::Rng;

/// Common surnames (single characters); combined at random they name nobody in particular.
pub const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛顾毛龚邵钱";

/// Given-name characters.
pub const GIVEN: &str = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力斌宇浩凯鹏晨欣怡佳婷雪琳晓海波峰俊燕丹蕾颖璐瑶倩梅兰莉健鑫宁翔昊博思雯蓉春东亮成志国庆荣新立民永忠德慧珍云飞逸轩晗悦嘉诚骏泽舒然琪";

/// One character of `chars`, drawn uniformly (the draw `choose` makes on a slice of them).
fn pick(rng: &mut impl Rng, chars: &str) -> char {
    let n = chars.chars().count();
    chars.chars().nth(rng.random_range(..n)).unwrap_or('新')
}

/// A made-up personal name: surname plus one or two given-name characters.
pub fn person_name(rng: &mut impl Rng) -> String {
    let mut name = String::with_capacity(9);
    name.push(pick(rng, SURNAMES));
    name.push(pick(rng, GIVEN));
    if rng.random_bool(0.7) {
        name.push(pick(rng, GIVEN));
    }
    name
}

/// Place-name syllables for made-up streets, communities and committees.
pub const PLACE: &str = "华泾新桥康宁安和平兴丰泰嘉祥瑞盛江浦塘港湾林枫桂梅兰竹松柳荷春秋东西南北中金银玉明光阳晨云霞虹彩古长永福乐欣美馨悦景苑庭田溪湖山";

/// A two-syllable made-up place name, e.g. `泾康`.
pub fn place_name(rng: &mut impl Rng) -> String {
    let a = pick(rng, PLACE);
    let mut b = pick(rng, PLACE);
    if a == b {
        b = '新';
    }
    format!("{a}{b}")
}

/// Endings of residents' committee names (before `居委会`).
pub const COMMITTEE_SUFFIX: [&str; 12] = [
    "一村", "二村", "三村", "新村", "苑", "花园", "小区", "公寓", "佳园", "家园", "坊", "名邸",
];

/// Skills in-service members bring, each with the service domain it serves.
pub const SKILLS: [(&str, ServiceDomain); 16] = [
    ("医疗护理", ServiceDomain::Healthcare),
    ("全科医生", ServiceDomain::Healthcare),
    ("法律咨询", ServiceDomain::LegalAid),
    ("心理咨询", ServiceDomain::Psychological),
    ("课业辅导", ServiceDomain::EducationTraining),
    ("职业指导", ServiceDomain::Employment),
    ("财务会计", ServiceDomain::PovertyRelief),
    ("文艺表演", ServiceDomain::CultureSports),
    ("体育健身", ServiceDomain::CultureSports),
    ("园艺绿化", ServiceDomain::Greening),
    ("电器维修", ServiceDomain::ElderlyCare),
    ("助老陪护", ServiceDomain::ElderlyCare),
    ("幼儿教育", ServiceDomain::Childcare),
    ("手语", ServiceDomain::DisabilitySupport),
    ("消防安全", ServiceDomain::PublicSafety),
    ("信息技术", ServiceDomain::EducationTraining),
];

/// The domain a skill serves, if it is one of [`SKILLS`].
pub fn skill_domain(skill: &str) -> Option<ServiceDomain> {
    SKILLS.iter().find(|(s, _)| *s == skill).map(|(_, d)| *d)
}

/// Explicit responsibility item templates; `{}` is replaced by a domain label.
pub const RESPONSIBILITY_TEMPLATES: [&str; 10] = [
    "召开区域化党建联席会议",
    "完成在职党员报到情况统计",
    "更新居民需求清单、资源清单、项目清单",
    "推动共建资源向居民区下沉（{}）",
    "开展{}志愿服务项目",
    "续签到期共建协议",
    "组织党员志愿者结对帮困",
    "培育楼组骨干和青年志愿者",
    "落实行政事务准入清单，为居委会减负",
    "对共建单位开展年度考评",
];
