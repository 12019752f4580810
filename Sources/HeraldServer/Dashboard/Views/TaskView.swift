/// `/dashboard/tasks/{id}`: one call, where the link in a call notice or digest lands.
enum TaskView {
    static let template = """
        <p><a href="/dashboard/tasks">{{t.back_to_tasks}}</a></p>
        <h1>{{t.call}}</h1>
        {{#task}}
        {{> task-card}}
        {{/task}}
        {{#has_others}}
        <section aria-labelledby="others-h">
          <h2 id="others-h">{{t.other_calls}}</h2>
          <ul>
          {{#others}}<li data-other="{{id}}"><a href="/dashboard/tasks/{{id}}">{{attempt_label}}</a> · {{status}}{{#outcome}} — {{outcome}}{{/outcome}}{{#note}} — {{note}}{{/note}}{{#completed}} · <time datetime="{{iso}}">{{text}}</time>{{/completed}}</li>{{/others}}
          </ul>
        </section>
        {{/has_others}}
        """
}
