/// Settings of a phone channel (`kind = "phone"`): delivering to it opens a call task for the
/// client's CSM instead of sending anything.
public struct PhoneSettings: Sendable, Equatable {
    /// When CSMs call, in the client's time zone.
    public var businessHours = BusinessHours()
    /// Business time from the task's creation to its due time (milliseconds).
    public var dueWithin: Int64 = 4 * 3_600_000
    /// After `no_answer`, how long before the follow-up call is due (then moved into business hours).
    public var followUpAfter: Int64 = 86_400_000
    /// Calls per delivery, the first included; after the last `no_answer` the delivery fails.
    public var maxAttempts = 3
    /// An open task this long past its due time is overdue (listed, and escalated to `manager`).
    public var overdueAfter: Int64 = 4 * 3_600_000
    /// Channels that tell the CSM about a new task: email channels write to the CSM's email,
    /// robot channels post to the team robot given in `robots` and @-mention the CSM.
    public var notify: [String] = []
    /// Team robot per robot channel of `notify` (robot address, `id` or `id#secret`).
    public var robots: [String: String] = [:]
    /// Locale of the notices to CSMs and the manager; nil: the client's locale.
    public var locale: String?
    /// Who hears about overdue tasks (an email address), through `manager_channel`.
    public var manager: String?
    /// An email channel for the manager's notice; nil: the first email channel of `notify`.
    public var managerChannel: String?
    /// Time zone for clients without one.
    public var defaultTimezone = "UTC"

    public init() {}
}
