//! Name tables shared by the sample and the generator: made-up Chinese personal names built from
//! surname and given-name characters, place-name syllables, skills and item templates.

use dangjian_model::ServiceDomain;
use rand::Rng;
use rand::seq::IndexedRandom;

/// Common surnames (single characters); combined at random they name nobody in particular.
pub const SURNAMES: [&str; 80] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "韦", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "顾", "毛", "龚", "邵", "钱",
];

/// Given-name characters.
pub const GIVEN: [&str; 96] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "萍", "红", "建", "文", "辉", "力", "斌",
    "宇", "浩", "凯", "鹏", "晨", "欣", "怡", "佳", "婷", "雪", "琳", "晓", "海", "波", "峰", "俊",
    "燕", "丹", "蕾", "颖", "璐", "瑶", "倩", "梅", "兰", "莉", "健", "鑫", "宁", "翔", "昊", "博",
    "思", "雯", "蓉", "春", "东", "亮", "成", "志", "国", "庆", "荣", "新", "立", "民", "永", "忠",
    "德", "慧", "珍", "云", "飞", "逸", "轩", "晗", "悦", "嘉", "诚", "骏", "泽", "舒", "然", "琪",
];

/// A made-up personal name: surname plus one or two given-name characters.
pub fn person_name(rng: &mut impl Rng) -> String {
    let mut name = String::with_capacity(9);
    name.push_str(SURNAMES.choose(rng).copied().unwrap_or("王"));
    name.push_str(GIVEN.choose(rng).copied().unwrap_or("伟"));
    if rng.random_bool(0.7) {
        name.push_str(GIVEN.choose(rng).copied().unwrap_or("华"));
    }
    name
}

/// Place-name syllables for made-up streets, communities and committees.
pub const PLACE: [&str; 64] = [
    "华", "泾", "新", "桥", "康", "宁", "安", "和", "平", "兴", "丰", "泰", "嘉", "祥", "瑞", "盛",
    "江", "浦", "塘", "港", "湾", "林", "枫", "桂", "梅", "兰", "竹", "松", "柳", "荷", "春", "秋",
    "东", "西", "南", "北", "中", "金", "银", "玉", "明", "光", "阳", "晨", "云", "霞", "虹", "彩",
    "古", "长", "永", "福", "乐", "欣", "美", "馨", "悦", "景", "苑", "庭", "田", "溪", "湖", "山",
];

/// A two-syllable made-up place name, e.g. `泾康`.
pub fn place_name(rng: &mut impl Rng) -> String {
    let a = PLACE.choose(rng).copied().unwrap_or("华");
    let mut b = PLACE.choose(rng).copied().unwrap_or("泾");
    if a == b {
        b = "新";
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
