/// `/dashboard/tasks`: the calls assigned to the CSM, each a ``TaskCardView`` card with an outcome form.
enum TasksView {
    static let template = """
        <h1>{{t.my_tasks}}</h1>
        <p>{{t.tasks_intro}}</p>
        <p><a href="/dashboard/tasks?status=open"{{#is_open}} aria-current="page"{{/is_open}}>{{t.open}}</a> · <a href="/dashboard/tasks?status=done"{{^is_open}} aria-current="page"{{/is_open}}>{{t.done}}</a></p>
        {{^tasks}}<p>{{t.no_tasks}}</p>{{/tasks}}
        {{#tasks}}
        {{> task-card}}
        {{/tasks}}
        {{#next_url}}<p><a href="{{next_url}}" id="more-tasks">{{t.more_calls}}</a></p>{{/next_url}}
        """
}
