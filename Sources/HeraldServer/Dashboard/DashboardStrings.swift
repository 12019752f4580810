import Foundation

/// Every text of the dashboard in English and Simplified Chinese. Templates read them as
/// `{{t.key}}`; a unit test checks both languages have every key and every key is used.
enum DashboardStrings {
    static func table(for language: DashboardLanguage) -> [String: String] {
        language == .en ? en : zh
    }

    /// (key, English, 简体中文)
    static let entries: [(String, String, String)] = [
        ("skip", "Skip to content", "跳到正文"),
        ("nav", "Main", "主导航"),
        ("my_clients", "My clients", "我的客户"),
        ("clients", "Clients", "客户"),
        ("my_tasks", "My calls", "我的电话任务"),
        ("bulk_resend", "Resend unopened", "批量重发未读"),
        ("template_stats", "Template stats", "模板统计"),
        ("sign_in", "Sign in", "登录"),
        ("sign_out", "Sign out", "退出"),
        ("sign_in_intro", "Sign in with your Herald API token (scope resend). Ask your administrator for one: herald token create --scope resend --csm you@company.com",
         "请使用您的 Herald API 令牌（需 resend 权限）登录。可请管理员创建：herald token create --scope resend --csm 您的邮箱"),
        ("api_token", "API token", "API 令牌"),
        ("sign_in_failed", "That token is not valid, was revoked, or lacks the resend scope.", "令牌无效、已被吊销，或缺少 resend 权限。"),
        ("csrf_refused", "This form has expired or did not come from this page. Reload the page and try again.", "表单已过期或并非来自本页面。请刷新页面后重试。"),
        ("csm", "CSM", "客户成功经理"),
        ("csm_hint", "their email; empty for all", "填写邮箱；留空显示全部"),
        ("tier", "Tier", "客户分层"),
        ("stage", "Lifecycle stage", "生命周期阶段"),
        ("any", "Any", "全部"),
        ("filter", "Filter", "筛选"),
        ("client", "Client", "客户"),
        ("last_contact", "Last contact", "最近联系"),
        ("unopened_important", "Unopened (important)", "未读（重要）"),
        ("unopened", "Unopened", "未读"),
        ("never", "never", "从未"),
        ("no_clients", "No clients match.", "没有符合条件的客户。"),
        ("next_page", "Next page", "下一页"),
        ("more_calls", "More calls", "更多电话"),
        ("older", "Older messages", "更早的消息"),
        ("back_to_clients", "Back to clients", "返回客户列表"),
        ("contacts", "Contacts", "联系人"),
        ("timeline", "Messages", "消息记录"),
        ("no_messages", "No messages yet.", "暂无消息。"),
        ("channel", "Channel", "渠道"),
        ("to", "To", "收件人"),
        ("state", "State", "状态"),
        ("opened_at", "Opened", "打开时间"),
        ("clicked_at", "Clicked", "点击时间"),
        ("priority", "Priority", "优先级"),
        ("resent_times", "Resent", "已重发次数"),
        ("is_resend", "resend", "重发"),
        ("resend", "Resend", "重发"),
        ("resend_title", "Resend this message", "重发此消息"),
        ("same_channels", "The same channel as before", "与原来相同的渠道"),
        ("reason", "Reason (optional)", "原因（可选）"),
        ("will_send", "Herald will send:", "将发送："),
        ("preview_on", "See where it would go on:", "查看改用以下渠道时的发送去向："),
        ("held_until", "held until", "暂缓至"),
        ("resend_now", "Resend now", "立即重发"),
        ("cancel", "Cancel", "取消"),
        ("resend_refused", "Herald will not resend this message now:", "目前无法重发此消息："),
        ("resend_done", "Resend queued: %d new delivery(ies).", "已加入重发队列：%d 条新投递。"),
        ("call_task", "Call task", "电话任务"),
        ("see_task", "See the task", "查看任务"),
        ("open", "Open", "待处理"),
        ("done", "Done", "已完成"),
        ("bulk_intro", "Find messages nobody opened and send them again, with the same guard rails as a single resend.",
         "找出无人打开的消息并重新发送，与单条重发遵守相同的限制规则。"),
        ("template", "Template", "模板"),
        ("unopened_for", "Unopened for at least", "未读时长至少"),
        ("only_mine", "Only my clients", "仅我的客户"),
        ("preview", "Preview", "预览"),
        ("preview_count", "%d message(s) would be resent; %d skipped.", "将重发 %d 条消息；跳过 %d 条。"),
        ("resend_all", "Resend these %d message(s)", "重发这 %d 条消息"),
        ("bulk_done", "Resent %d message(s); %d skipped.", "已重发 %d 条消息；跳过 %d 条。"),
        ("skipped", "Skipped", "已跳过"),
        ("message", "Message", "消息"),
        ("created", "Created", "创建时间"),
        ("nothing_to_resend", "Nothing to resend.", "没有需要重发的消息。"),
        ("tasks_intro", "Calls Herald asked you to make. Record how each went: Herald applies the consequences (a failed call falls back, a voicemail gets a follow-up).",
         "系统为您安排的电话。请记录每通电话的结果：系统会自动处理后续（未接通会改用其他渠道，留言会安排回访）。"),
        ("no_tasks", "No calls here.", "暂无电话任务。"),
        ("due", "Due", "截止"),
        ("overdue", "overdue", "已逾期"),
        ("talking_points", "Talking points", "通话要点"),
        ("outcome", "Outcome", "结果"),
        ("outcome_reached", "Reached them", "已接通"),
        ("outcome_voicemail", "Left a voicemail", "已留言"),
        ("outcome_no_answer", "No answer", "无人接听"),
        ("outcome_wrong_number", "Wrong number", "号码错误"),
        ("note", "Note (optional)", "备注（可选）"),
        ("record_outcome", "Record outcome", "提交结果"),
        ("task_done", "Outcome recorded.", "结果已记录。"),
        ("follow_up_made", "A follow-up call was scheduled.", "已安排回访电话。"),
        ("stats_intro", "Open and click rates per template, tier and locale. Opens by mail privacy proxies and link scanners are not counted.",
         "按模板、客户分层和语言统计的打开率与点击率。邮件隐私代理和链接扫描产生的打开不计入。"),
        ("period", "Period", "时间范围"),
        ("days_7", "Last 7 days", "最近 7 天"),
        ("days_30", "Last 30 days", "最近 30 天"),
        ("days_90", "Last 90 days", "最近 90 天"),
        ("show", "Show", "显示"),
        ("locale", "Locale", "语言"),
        ("sent", "Sent", "已发送"),
        ("opened", "Opened", "已打开"),
        ("clicked", "Clicked", "已点击"),
        ("open_rate", "Open rate", "打开率"),
        ("click_rate", "Click rate", "点击率"),
        ("chart_title", "Email open and click rates", "邮件打开率与点击率"),
        ("no_stats", "No messages in this period.", "该时间段内没有消息。"),
        ("error_title", "Something went wrong", "出错了"),
        ("not_found", "Not found", "未找到"),
        ("signed_in_as", "Signed in as", "当前登录"),
    ]

    static let en: [String: String] = Dictionary(entries.map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
    static let zh: [String: String] = Dictionary(entries.map { ($0.0, $0.2) }, uniquingKeysWith: { a, _ in a })

    /// A text with `%d` placeholders filled in order.
    static func format(_ text: String, _ numbers: Int...) -> String {
        var result = text
        for n in numbers {
            guard let range = result.range(of: "%d") else { break }
            result.replaceSubrange(range, with: String(n))
        }
        return result
    }
}
