/** Shared wording and masking for replies. Times are shown in the tenant's zone (Asia/Shanghai by default). */

/** 张三 → 张*, 欧阳娜娜 → 欧***: in a group, people outside the conversation see no full names. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return chars.length ? '*' : '';
  return chars[0] + '*'.repeat(chars.length - 1);
}

export function timeLabel(iso: string, timeZone = 'Asia/Shanghai'): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('zh-CN', { timeZone, month: 'numeric', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.month}月${parts.day}日（${parts.weekday}）${parts.hour}:${parts.minute}`;
}

export function hhmm(iso: string, timeZone = 'Asia/Shanghai'): string {
  return new Intl.DateTimeFormat('zh-CN', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

export const statusNames: Record<string, string> = {
  draft: '草稿', awaiting_candidate: '待候选人选时间', scheduled: '待确认', confirmed: '已确认', checked_in: '已签到', in_progress: '进行中',
  completed: '已结束', no_show: '未到场', declined: '已婉拒', cancelled: '已取消',
};

export const stageNames: Record<string, string> = {
  applied: '已投递', screening: '筛选中', interviewing: '面试中', offer: '录用意向', hired: '已入职', rejected: '未通过', withdrawn: '已撤回',
};
