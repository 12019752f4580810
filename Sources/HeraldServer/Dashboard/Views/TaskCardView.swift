/// One call as a card: who, why, what to say and, while it is open, the outcome form. Shared by
/// the list of calls (``TasksView``) and the page of one call (``TaskView``).
enum TaskCardView {
    static let template = """
        <article class="task" id="t-{{id}}" aria-labelledby="th-{{id}}" data-task="{{id}}">
          <h2 id="th-{{id}}">{{client}}{{#contact}} — {{contact}}{{/contact}}</h2>
          <p class="meta"><a href="tel:{{phone}}">{{phone}}</a> · {{t.due}} <time datetime="{{due.iso}}">{{due.text}}</time>{{#overdue}} <span class="badge">{{t.overdue}}</span>{{/overdue}}{{#attempt_label}} · {{attempt_label}}{{/attempt_label}}{{#client_id}} · <a href="/dashboard/clients/{{client_id}}">{{t.client}}</a>{{/client_id}}{{#assignee}} · {{t.assigned_to}} {{assignee}}{{/assignee}}</p>
          <p><strong>{{reason}}</strong></p>
          <details{{#expanded}} open{{/expanded}}><summary>{{t.talking_points}}</summary><div class="pre">{{talking_points}}</div></details>
          {{#open}}
          <form method="post" action="/dashboard/tasks/{{id}}/complete">
            <input type="hidden" name="_csrf" value="{{csrf}}">{{#expanded}}<input type="hidden" name="from" value="task">{{/expanded}}
            <fieldset>
              <legend>{{t.outcome}}</legend>
              {{#outcomes}}<div class="choice"><input type="radio" id="o-{{task}}-{{value}}" name="outcome" value="{{value}}" required><label for="o-{{task}}-{{value}}">{{label}}</label></div>{{/outcomes}}
            </fieldset>
            <div class="field"><label for="note-{{id}}">{{t.note}}</label><textarea id="note-{{id}}" name="note" maxlength="2000"></textarea></div>
            <div class="actions"><button type="submit" id="complete-{{id}}">{{t.record_outcome}}</button></div>
          </form>
          {{/open}}
          {{#cancelled}}<p>{{t.task_cancelled}}</p>{{/cancelled}}
          {{#outcome}}<p>{{t.outcome}}: <strong>{{outcome}}</strong>{{#note}} — {{note}}{{/note}}{{#completed}} · <time datetime="{{iso}}">{{text}}</time>{{/completed}}</p>{{/outcome}}
        </article>
        """
}
