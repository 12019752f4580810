import ArgumentParser

/// `herald`: the daemon and its operator tools.
@main
struct HeraldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "herald",
        abstract: "Notification and messaging gateway for customer-success teams.",
        discussion: """
            Exit codes: 0 success, 1 failure, 64 usage error, 65 invalid input, 66 cannot read input, \
            69 database unavailable, 73 output exists, 74 I/O error, 75 daemon holds the database, \
            78 configuration error.
            """,
        version: "0.1.0",
        subcommands: [
            Serve.self, Send.self, Status.self, Cancel.self, Clients.self, Messages.self, Resend.self, Redrive.self, Queue.self,
            Stats.self, Subscriptions.self, Suppressions.self, Bounce.self, Tasks.self, Digest.self, Route.self, Template.self, Token.self, Backup.self, Restore.self,
            Export.self, Import.self, Migrate.self, CheckConfig.self, Reload.self, Audit.self, Erase.self,
        ]
    )
}
