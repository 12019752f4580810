/// `/dashboard/tasks`: the calls assigned to the CSM, each with an outcome form.
enum TasksView {
    static let template = """
        <h1>{{t.my_tasks}}</h1>
        <p>{{t.tasks_intro}}</p>
        <p><a href="/dashboard/tasks?status=open"{{#is_open}} aria-current="page"{{/is_open}}>{{t.open}}</a> · <a href="/dashboard/tasks?status=done"{{^is_open}} aria-current="page"{{/is_open}}>{{t.done}}</a></p>
        {{^tasks}}<p>{{t.no_tasks}}</p>{{/tasks}}
        {{#tasks}}
        <article class="task" id="t-{{id}}" aria-labelledby="th-{{id}}" data-task="{{id}}">
          <h2 id="th-{{id}}">{{client}}{{#contact}} — {{contact}}{{/contact}}</h2>
          <p class="meta"><a href="tel:{{phone}}">{{phone}}</a> · {{t.due}} <time datetime="{{due.iso}}">{{due.text}}</time>{{#overdue}} <span class="badge">{{t.overdue}}</span>{{/overdue}}{{#client_id}} · <a href="/dashboard/clients/{{client_id}}">{{t.client}}</a>{{/client_id}}</p>
          <p><strong>{{reason}}</strong></p>
          <details><summary>{{t.talking_points}}</summary><div class="pre">{{talking_points}}</div></details>
          {{#open}}
          <form method="post" action="/dashboard/tasks/{{id}}/complete">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <fieldset>
              <legend>{{t.outcome}}</legend>
              {{#outcomes}}<div class="choice"><input type="radio" id="o-{{task}}-{{value}}" name="outcome" value="{{value}}" required><label for="o-{{task}}-{{value}}">{{label}}</label></div>{{/outcomes}}
            </fieldset>
            <div class="field"><label for="note-{{id}}">{{t.note}}</label><textarea id="note-{{id}}" name="note" maxlength="2000"></textarea></div>
            <div class="actions"><button type="submit" id="complete-{{id}}">{{t.record_outcome}}</button></div>
          </form>
          {{/open}}
          {{^open}}<p>{{t.outcome}}: <strong>{{outcome}}</strong>{{#note}} — {{note}}{{/note}}{{#completed}} · <time datetime="{{iso}}">{{text}}</time>{{/completed}}</p>{{/open}}
        </article>
        {{/tasks}}
        {{#next_url}}<p><a href="{{next_url}}" id="more-tasks">{{t.more_calls}}</a></p>{{/next_url}}
        """
}
