import type { Role } from '../../../contracts/directory';
import type { CreateCandidate, PublishCompetencyModel } from '../../../contracts';

/** The demo company: fictional people, obviously fake contact data (138 0000 xxxx numbers, example.com). */

const levels = (l1: string, l2: string, l3: string, l4: string) => [
  { level: 1, label: '不符合', description: l1 },
  { level: 2, label: '部分符合', description: l2 },
  { level: 3, label: '符合', description: l3 },
  { level: 4, label: '超出预期', description: l4 },
];

export const demoTenant = { name: '星河科技（演示）', platform: 'wecom' as const, corpId: 'ww-demo-xinghe', timeZone: 'Asia/Shanghai' };

export const demoDepartments = [
  { key: 'eng', name: '技术部', platformDepartmentId: '2' },
  { key: 'product', name: '产品部', platformDepartmentId: '3' },
  { key: 'people', name: '人力资源部', platformDepartmentId: '4' },
  { key: 'sales', name: '销售部', platformDepartmentId: '5' },
] as const;

export const demoEmployees: {
  key: string;
  name: string;
  title: string;
  department: (typeof demoDepartments)[number]['key'];
  manager: string | null;
  roles: Role[];
}[] = [
  { key: 'zhoumin', name: '周敏', title: 'HRBP 负责人', department: 'people', manager: null, roles: ['admin', 'hr'] },
  { key: 'wanglei', name: '王蕾', title: '招聘专员', department: 'people', manager: 'zhoumin', roles: ['hr'] },
  { key: 'chenli', name: '陈立', title: '技术总监', department: 'eng', manager: null, roles: ['hiring_manager', 'interviewer'] },
  { key: 'liuyang', name: '刘洋', title: '资深后端工程师', department: 'eng', manager: 'chenli', roles: ['interviewer'] },
  { key: 'zhaochen', name: '赵晨', title: '前端技术专家', department: 'eng', manager: 'chenli', roles: ['interviewer'] },
  { key: 'sunting', name: '孙婷', title: '产品总监', department: 'product', manager: null, roles: ['hiring_manager', 'interviewer'] },
  { key: 'lihang', name: '李航', title: '高级产品经理', department: 'product', manager: 'sunting', roles: ['interviewer'] },
  { key: 'wujie', name: '吴杰', title: '销售总监', department: 'sales', manager: null, roles: ['interviewer'] },
];

export const demoRooms = [
  { name: '长江 会议室', site: '上海总部', address: '上海市浦东新区张江路 100 号 8 楼', capacity: 6 },
  { name: '黄河 会议室', site: '上海总部', address: '上海市浦东新区张江路 100 号 8 楼', capacity: 4 },
];

const backendModel: PublishCompetencyModel = {
  note: '初版：技术一面、二面共用',
  competencies: [
    {
      name: '技术深度',
      description: '对所用语言、数据库和分布式系统原理的掌握程度',
      weight: 35,
      rubric: levels(
        '只会使用框架，说不清原理',
        '了解常见原理，深入追问时答不上来',
        '能讲清原理并举出自己项目中的例子',
        '能结合源码或线上问题讲透原理，并指出取舍',
      ),
      questions: [
        { text: '讲一个你排查过的最棘手的线上性能问题。', followUps: ['你是怎么定位到根因的？', '最后的效果如何，有数据吗？'] },
        { text: 'PostgreSQL 的事务隔离级别你在项目里怎么选？', followUps: ['遇到过幻读或写偏斜吗？'] },
      ],
    },
    {
      name: '系统设计',
      description: '在约束下设计可靠、可演进的系统',
      weight: 30,
      rubric: levels(
        '无法给出完整方案',
        '方案能用，但忽略了容量、失败或一致性',
        '方案完整，能说明容量估算和失败处理',
        '方案完整且能比较多种取舍，主动考虑运维和演进',
      ),
      questions: [
        { text: '设计一个面试提醒服务，要求重启不丢、不重复发送。', followUps: ['多实例部署时怎么避免重复？'] },
        { text: '你做过的系统里，哪个设计决定事后看是错的？', followUps: ['如果重来你会怎么做？'] },
      ],
    },
    {
      name: '问题解决',
      description: '拆解模糊问题、验证假设、推动到结果',
      weight: 20,
      rubric: levels('思路混乱，无法推进', '能解决明确的问题，模糊问题需要较多帮助', '能独立拆解并验证假设', '能在信息不全时快速收敛，并带动他人'),
      questions: [{ text: '讲一次你在需求不清楚的情况下推进项目的经历。', followUps: ['你当时做了哪些假设？', '结果如何？'] }],
    },
    {
      name: '沟通协作',
      description: '与产品、测试和其他团队协作',
      weight: 15,
      rubric: levels('表达不清，难以协作', '能完成沟通，但需要他人推动', '表达清楚，能主动对齐', '能化解分歧并推动跨团队共识'),
      questions: [{ text: '讲一次你和产品经理意见不一致的经历。', followUps: ['最后是怎么达成一致的？'] }],
    },
  ],
};

const productModel: PublishCompetencyModel = {
  note: '初版',
  competencies: [
    {
      name: '用户洞察',
      description: '理解用户真实需求与场景',
      weight: 30,
      rubric: levels('只复述用户说的话', '能归纳需求，但缺少验证', '通过访谈和数据验证需求', '能发现用户自己没说出的需求并验证'),
      questions: [{ text: '讲一个你通过用户研究改变了产品方向的例子。', followUps: ['你访谈了多少用户？', '改变后数据怎么样？'] }],
    },
    {
      name: '需求分析与规划',
      description: '把需求变成可交付、可度量的规划',
      weight: 25,
      rubric: levels('需求描述含糊', '能写清需求，优先级依据不足', '优先级清楚并有度量指标', '能平衡长期与短期，规划被团队广泛认可'),
      questions: [{ text: '你如何决定下个季度做哪三件事？', followUps: ['被砍掉的需求你怎么向提出方解释？'] }],
    },
    {
      name: '数据驱动',
      description: '用数据定义问题、评估结果',
      weight: 25,
      rubric: levels('不看数据', '会看报表，但不会设计指标', '能设计指标并用实验验证', '能建立指标体系并用数据影响决策'),
      questions: [{ text: '讲一次你设计 A/B 实验的经历。', followUps: ['样本量是怎么确定的？', '结果显著吗？'] }],
    },
    {
      name: '跨团队协作',
      description: '推动研发、设计、运营一起交付',
      weight: 20,
      rubric: levels('依赖他人推动', '能协调本团队', '能推动多个团队按期交付', '能在资源冲突时建立共识并保障交付'),
      questions: [{ text: '讲一次项目延期风险很大时你是怎么处理的。', followUps: ['最后按期上线了吗？'] }],
    },
  ],
};

export const demoJobs = [
  {
    key: 'backend',
    department: 'eng' as const,
    hiringManager: 'chenli',
    ownerHr: 'wanglei',
    title: '高级后端工程师',
    description: '负责招聘桥核心服务：面试调度、提醒与企业微信、钉钉集成。',
    location: '上海',
    headcount: 2,
    rounds: [
      { name: '技术一面', durationMinutes: 60 },
      { name: '技术二面', durationMinutes: 60 },
      { name: 'HR 面', durationMinutes: 45 },
    ],
    model: backendModel,
  },
  {
    key: 'product',
    department: 'product' as const,
    hiringManager: 'sunting',
    ownerHr: 'wanglei',
    title: '产品经理（招聘方向）',
    description: '负责面试体验与招聘数据产品。',
    location: '上海',
    headcount: 1,
    rounds: [
      { name: '业务面', durationMinutes: 60 },
      { name: '交叉面', durationMinutes: 45 },
      { name: 'HR 面', durationMinutes: 30 },
    ],
    model: productModel,
  },
];

type DemoStage = 'applied' | 'screening' | 'interviewing' | 'offer' | 'hired' | 'rejected';

export const demoCandidates: (Partial<CreateCandidate> & { name: string; job: 'backend' | 'product'; stage: DemoStage })[] = [
  { name: '林晓雨', phone: '13800000001', email: 'xiaoyu.lin@example.com', source: 'referral', job: 'backend', stage: 'interviewing' },
  { name: '黄志强', phone: '13800000002', email: 'zhiqiang.huang@example.com', source: 'job_board', job: 'backend', stage: 'screening' },
  { name: '郑思远', phone: '13800000003', source: 'career_site', job: 'backend', stage: 'applied' },
  { name: '何佳怡', phone: '13800000004', email: 'jiayi.he@example.com', source: 'headhunter', job: 'backend', stage: 'offer' },
  { name: '马骏', phone: '13800000005', source: 'job_board', job: 'backend', stage: 'rejected' },
  { name: 'Anna Müller', phone: '+4915100000006', email: 'anna.mueller@example.com', source: 'career_site', timeZone: 'Europe/Berlin', job: 'product', stage: 'interviewing' },
  { name: '许文静', phone: '13800000007', source: 'campus', job: 'product', stage: 'screening' },
  { name: '罗斌', phone: '13800000008', source: 'referral', job: 'product', stage: 'hired' },
];

/** The path each demo stage takes from `applied`. */
export const demoStagePath: Record<DemoStage, DemoStage[]> = {
  applied: [],
  screening: ['screening'],
  interviewing: ['screening', 'interviewing'],
  offer: ['screening', 'interviewing', 'offer'],
  hired: ['screening', 'interviewing', 'offer', 'hired'],
  rejected: ['screening', 'rejected'],
};
