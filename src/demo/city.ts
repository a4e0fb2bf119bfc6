import type { AssetInputDto } from '../assets/index.js';
import type { Role } from '../shared/principal.js';

/**
 * The demo city: a county's departments, the systems they run and the people who log in. Names,
 * addresses and people are invented for the demo; addresses are private ranges, so nothing here
 * points at a real system. Dates are relative to the day the demo is loaded, so the compliance
 * checks give the same mix of pass and fail whenever it runs.
 */

/** Every demo account has this password; the demo prints it, so it protects nothing. */
export const DEMO_PASSWORD = 'taishi-demo-password';

export const DEPARTMENTS = {
  gov: '政务服务管理局',
  police: '公安局',
  traffic: '交通运输局',
  water: '水务局',
  health: '卫生健康委员会',
  bigData: '大数据中心',
} as const;
type DepartmentKey = keyof typeof DEPARTMENTS;

export interface DemoUser {
  username: string;
  displayName: string;
  role: Exclude<Role, 'admin'>;
  department?: DepartmentKey;
}

// No demo administrator: a published administrator password would hand the whole installation
// to anyone who read the README. The installation's own `admin` stays the only one.
export const DEMO_USERS: readonly DemoUser[] = [
  { username: 'demo.analyst', displayName: '【演示】安全分析员 王磊', role: 'analyst' },
  { username: 'demo.compliance', displayName: '【演示】合规专员 陈静', role: 'compliance' },
  { username: 'demo.owner.gov', displayName: '【演示】政务服务管理局 李娜', role: 'owner', department: 'gov' },
  { username: 'demo.owner.traffic', displayName: '【演示】交通运输局 赵强', role: 'owner', department: 'traffic' },
  { username: 'demo.owner.water', displayName: '【演示】水务局 刘洋', role: 'owner', department: 'water' },
  { username: 'demo.owner.health', displayName: '【演示】卫生健康委员会 周敏', role: 'owner', department: 'health' },
  { username: 'demo.owner.bigdata', displayName: '【演示】大数据中心 孙浩', role: 'owner', department: 'bigData' },
];

/** A registry entry as the demo declares it; `owner` names the demo user who is its contact. */
export interface DemoAsset {
  owner?: string;
  input: Omit<AssetInputDto, 'contactUserId'>;
}

/** The IoT devices that report telemetry, with the readings each sends and their usual values. */
export interface DemoDevice {
  id: string;
  periodMinutes: number;
  readings: Record<string, { base: number; spread: number; digits: number }>;
}

export const WATER_DEVICES: readonly DemoDevice[] = [
  { id: 'wq-chlorine-03', periodMinutes: 5, readings: { chlorine: { base: 0.45, spread: 0.08, digits: 2 }, temperature: { base: 18, spread: 1.5, digits: 1 } } },
  { id: 'wq-turbidity-01', periodMinutes: 5, readings: { turbidity: { base: 0.32, spread: 0.1, digits: 2 } } },
  { id: 'wq-ph-01', periodMinutes: 5, readings: { ph: { base: 7.2, spread: 0.15, digits: 2 } } },
  { id: 'level-01', periodMinutes: 5, readings: { level: { base: 3.6, spread: 0.4, digits: 2 } } },
  { id: 'flow-02', periodMinutes: 5, readings: { flow: { base: 820, spread: 160, digits: 0 }, pressure: { base: 0.38, spread: 0.03, digits: 2 } } },
  { id: 'gw-water-01', periodMinutes: 5, readings: { cpu: { base: 0.22, spread: 0.1, digits: 2 }, temperature: { base: 46, spread: 4, digits: 1 } } },
];

export const CAMERAS: readonly DemoDevice[] = ['cam-jt-01', 'cam-jt-02', 'cam-jt-03', 'cam-jt-04'].map((id) => ({
  id,
  periodMinutes: 10,
  readings: { temperature: { base: 52, spread: 6, digits: 1 }, bitrate: { base: 4096, spread: 512, digits: 0 }, online: { base: 1, spread: 0, digits: 0 } },
}));

/** The sensor that goes quiet two hours before the demo is loaded. */
export const SILENT_DEVICE = 'wq-chlorine-03';

const day = (today: Date, offsetDays: number) => new Date(today.getTime() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/**
 * The registry. The mix is deliberate: the portal and the SCADA station are filed and tested, the
 * e-government database's test is overdue, the data-sharing interface was never filed and declares
 * no personal data (its logs will say otherwise), and two systems have no contact person.
 */
export function demoAssets(today: Date): DemoAsset[] {
  const d = (offset: number) => day(today, offset);
  return [
    {
      owner: 'demo.owner.gov',
      input: {
        name: '县政务服务网（门户网站）',
        type: 'web_application',
        department: DEPARTMENTS.gov,
        addresses: ['10.10.1.10', 'zwfw-portal01'],
        zone: '互联网接入区',
        contact: { name: '李娜', email: 'lina@zwfw.example.cn', phone: '0571-8650-1201' },
        securityContact: { name: '王磊', email: 'wanglei@dsj.example.cn', phone: '0571-8650-1101' },
        mlps: { level: 3, filingNumber: '33990013001-23001', filingDate: d(-900), lastAssessmentDate: d(-120) },
        cii: { designated: true, designationRef: '省关键信息基础设施认定〔2024〕12号' },
        data: { categories: ['办事申请', '用户账号'], level: 'important', personal: 'personal', subjects: 260_000 },
        storageLocation: 'in_china',
        criticality: 'critical',
        lifecycle: 'active',
        tags: ['对外服务', '演示'],
      },
    },
    {
      owner: 'demo.owner.gov',
      input: {
        name: '政务数据共享交换接口',
        type: 'web_application',
        department: DEPARTMENTS.gov,
        addresses: ['10.10.2.20', 'share-api01'],
        zone: '政务外网',
        contact: { name: '李娜', email: 'lina@zwfw.example.cn', phone: '0571-8650-1201' },
        mlps: { level: 2 },
        cii: { designated: false },
        data: { categories: ['接口调用记录'], level: 'general', personal: 'none' },
        storageLocation: 'in_china',
        criticality: 'high',
        lifecycle: 'active',
        tags: ['数据共享', '演示'],
      },
    },
    {
      owner: 'demo.owner.gov',
      input: {
        name: '一网通办业务数据库',
        type: 'database',
        department: DEPARTMENTS.gov,
        addresses: ['10.10.2.30', 'zwdb01'],
        zone: '政务外网',
        contact: { name: '李娜', email: 'lina@zwfw.example.cn', phone: '0571-8650-1201' },
        mlps: { level: 3, filingNumber: '33990013001-23002', filingDate: d(-880), lastAssessmentDate: d(-500) },
        cii: { designated: false },
        data: { categories: ['居民身份信息', '办件材料', '联系方式'], level: 'important', personal: 'sensitive', subjects: 380_000 },
        storageLocation: 'in_china',
        criticality: 'critical',
        lifecycle: 'active',
        tags: ['演示'],
      },
    },
    {
      owner: 'demo.owner.gov',
      input: {
        name: '政务服务大厅排队叫号系统',
        type: 'server',
        department: DEPARTMENTS.gov,
        addresses: ['10.10.3.15', 'queue-srv01'],
        zone: '政务外网',
        contact: { name: '李娜', email: 'lina@zwfw.example.cn', phone: '0571-8650-1201' },
        mlps: { level: 2, filingNumber: '33990013001-24007', filingDate: d(-400) },
        data: { categories: ['取号记录'], level: 'general', personal: 'personal', subjects: 40_000 },
        storageLocation: 'in_china',
        criticality: 'medium',
        lifecycle: 'active',
        tags: ['演示'],
      },
    },
    {
      input: {
        name: '社会治安视频监控平台',
        type: 'server',
        department: DEPARTMENTS.police,
        addresses: ['10.20.1.5', 'vms-platform01'],
        zone: '视频专网',
        mlps: { level: 3, filingNumber: '33990013001-22011', filingDate: d(-1200), lastAssessmentDate: d(-300) },
        data: { categories: ['视频图像', '人脸图像'], level: 'important', personal: 'sensitive' },
        storageLocation: 'in_china',
        criticality: 'critical',
        lifecycle: 'active',
        tags: ['公共安全', '演示'],
      },
    },
    {
      owner: 'demo.owner.traffic',
      input: {
        name: '智能交通信号控制系统',
        type: 'server',
        department: DEPARTMENTS.traffic,
        addresses: ['10.50.1.8', 'its-signal01'],
        zone: '交通专网',
        contact: { name: '赵强', email: 'zhaoqiang@jtj.example.cn', phone: '0571-8650-3301' },
        mlps: { level: 2, filingNumber: '33990013001-23015', filingDate: d(-700) },
        data: { level: 'general', personal: 'none' },
        storageLocation: 'in_china',
        criticality: 'high',
        lifecycle: 'active',
        tags: ['演示'],
      },
    },
    ...[
      ['cam-jt-01', '10.50.10.11', '人民路与解放路口卡口摄像头'],
      ['cam-jt-02', '10.50.10.12', '城东大道公交站摄像头'],
      ['cam-jt-03', '10.50.10.13', '滨江路测速摄像头'],
      ['cam-jt-04', '10.50.10.14', '汽车客运站广场摄像头'],
    ].map(([device, ip, name]): DemoAsset => ({
      owner: 'demo.owner.traffic',
      input: {
        name,
        type: 'camera',
        department: DEPARTMENTS.traffic,
        addresses: [ip, device],
        zone: '交通专网',
        contact: { name: '赵强', email: 'zhaoqiang@jtj.example.cn', phone: '0571-8650-3301' },
        data: { categories: ['车辆号牌', '视频图像'], level: 'general', personal: 'personal' },
        storageLocation: 'in_china',
        criticality: 'medium',
        lifecycle: 'active',
        tags: ['公共场所', '演示'],
      },
    })),
    {
      owner: 'demo.owner.water',
      input: {
        name: '城北水厂 SCADA 工程师站',
        type: 'server',
        department: DEPARTMENTS.water,
        addresses: ['10.30.1.10', 'scada-ews01'],
        zone: '生产控制区',
        contact: { name: '刘洋', email: 'liuyang@slj.example.cn', phone: '0571-8650-4401' },
        securityContact: { name: '王磊', email: 'wanglei@dsj.example.cn', phone: '0571-8650-1101' },
        mlps: { level: 3, filingNumber: '33990013001-23021', filingDate: d(-800), lastAssessmentDate: d(-90) },
        cii: { designated: true, designationRef: '省关键信息基础设施认定〔2024〕27号' },
        data: { categories: ['生产运行数据'], level: 'important', personal: 'none' },
        storageLocation: 'in_china',
        criticality: 'critical',
        lifecycle: 'active',
        tags: ['城市供水', '演示'],
      },
    },
    {
      owner: 'demo.owner.water',
      input: {
        name: '城北水厂物联网网关',
        type: 'iot_gateway',
        department: DEPARTMENTS.water,
        addresses: ['10.30.0.2', 'gw-water-01'],
        zone: '生产控制区',
        contact: { name: '刘洋', email: 'liuyang@slj.example.cn', phone: '0571-8650-4401' },
        data: { level: 'general', personal: 'none' },
        storageLocation: 'in_china',
        criticality: 'high',
        lifecycle: 'active',
        tags: ['城市供水', '演示'],
      },
    },
    ...[
      ['wq-chlorine-03', '10.30.0.13', '出厂水余氯在线监测仪'],
      ['wq-turbidity-01', '10.30.0.11', '出厂水浊度在线监测仪'],
      ['wq-ph-01', '10.30.0.12', '出厂水 pH 在线监测仪'],
      ['level-01', '10.30.0.21', '清水池液位计'],
      ['flow-02', '10.30.0.22', '二级泵站流量计'],
    ].map(([device, ip, name]): DemoAsset => ({
      owner: 'demo.owner.water',
      input: {
        name,
        type: 'iot_sensor',
        department: DEPARTMENTS.water,
        addresses: [ip, device],
        zone: '生产控制区',
        contact: { name: '刘洋', email: 'liuyang@slj.example.cn', phone: '0571-8650-4401' },
        data: { level: 'general', personal: 'none' },
        storageLocation: 'in_china',
        criticality: device === 'wq-chlorine-03' ? 'high' : 'medium',
        lifecycle: 'active',
        tags: ['城市供水', '演示'],
      },
    })),
    {
      owner: 'demo.owner.health',
      input: {
        name: '县人民医院 HIS 系统',
        type: 'server',
        department: DEPARTMENTS.health,
        addresses: ['10.40.1.10', 'his-app01'],
        zone: '卫生专网',
        contact: { name: '周敏', email: 'zhoumin@wjw.example.cn', phone: '0571-8650-5501' },
        mlps: { level: 3, filingNumber: '33990013001-22031', filingDate: d(-1000), lastAssessmentDate: d(-200) },
        data: { categories: ['病历', '检验结果', '居民身份信息'], level: 'important', personal: 'sensitive', subjects: 420_000 },
        storageLocation: 'in_china',
        criticality: 'critical',
        lifecycle: 'active',
        tags: ['医疗', '演示'],
      },
    },
    {
      owner: 'demo.owner.health',
      input: {
        name: '全民健康信息平台',
        type: 'web_application',
        department: DEPARTMENTS.health,
        addresses: ['10.40.2.10', 'health-platform01'],
        zone: '卫生专网',
        mlps: { level: 3 },
        data: { categories: ['健康档案'], level: 'important', personal: 'sensitive', subjects: 510_000 },
        storageLocation: 'in_china',
        criticality: 'high',
        lifecycle: 'active',
        tags: ['医疗', '演示'],
      },
    },
    {
      owner: 'demo.owner.bigdata',
      input: {
        // LabSZ is the host name in the loghub OpenSSH sample the demo replays.
        name: '运维堡垒机 LabSZ',
        type: 'server',
        department: DEPARTMENTS.bigData,
        addresses: ['10.60.1.22', 'LabSZ'],
        zone: '运维管理区',
        contact: { name: '孙浩', email: 'sunhao@dsj.example.cn', phone: '0571-8650-6601' },
        mlps: { level: 3, filingNumber: '33990013001-23041', filingDate: d(-750), lastAssessmentDate: d(-330) },
        data: { level: 'general', personal: 'none' },
        storageLocation: 'in_china',
        criticality: 'high',
        lifecycle: 'active',
        tags: ['运维', '演示'],
      },
    },
    {
      owner: 'demo.owner.bigdata',
      input: {
        // The loghub Apache error log is replayed as this server's.
        name: '县政府网站集约化平台（Apache）',
        type: 'web_application',
        department: DEPARTMENTS.bigData,
        addresses: ['10.60.2.10', 'gov-site01'],
        zone: '互联网接入区',
        contact: { name: '孙浩', email: 'sunhao@dsj.example.cn', phone: '0571-8650-6601' },
        mlps: { level: 2, filingNumber: '33990013001-21044', filingDate: d(-1500) },
        data: { categories: ['政务公开信息'], level: 'general', personal: 'none' },
        storageLocation: 'in_china',
        criticality: 'high',
        lifecycle: 'active',
        tags: ['对外服务', '演示'],
      },
    },
    {
      owner: 'demo.owner.bigdata',
      input: {
        name: '电子政务外网边界防火墙',
        type: 'network_device',
        department: DEPARTMENTS.bigData,
        addresses: ['10.60.0.1', 'fw-border01'],
        zone: '互联网接入区',
        contact: { name: '孙浩', email: 'sunhao@dsj.example.cn', phone: '0571-8650-6601' },
        data: { level: 'general', personal: 'none' },
        storageLocation: 'in_china',
        criticality: 'critical',
        lifecycle: 'active',
        tags: ['网络边界', '演示'],
      },
    },
    {
      owner: 'demo.owner.bigdata',
      input: {
        name: '县政务云平台',
        type: 'cloud_service',
        department: DEPARTMENTS.bigData,
        addresses: ['10.60.3.0/24'],
        zone: '政务云',
        contact: { name: '孙浩', email: 'sunhao@dsj.example.cn', phone: '0571-8650-6601' },
        mlps: { level: 3, filingNumber: '33990013001-22050', filingDate: d(-1100) },
        data: { categories: ['各部门业务数据'], level: 'important', personal: 'personal' },
        storageLocation: 'in_china',
        criticality: 'critical',
        lifecycle: 'active',
        tags: ['演示'],
      },
    },
  ];
}
