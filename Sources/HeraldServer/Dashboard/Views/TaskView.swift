/// `/dashboard/tasks/{id}`: one call, where the link in a call notice or digest lands.
enum TaskView {
    static let template = """
        <p><a href="/dashboard/tasks">{{t.back_to_tasks}}</a></p>
        <h1>{{t.call}}</h1>
        {{#task}}
        {{> task-card}}
        {{/task}}
        """
}
