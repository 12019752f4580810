/// `/dashboard/clients/{id}`: one client's facts (with each contact address Herald no longer
/// writes to, and why) and messages, newest first, with each delivery's state, when it was opened
/// or clicked, the call tasks, and a Resend button on unopened messages.
enum ClientView {
    static let template = """
        <p><a href="/dashboard/clients">{{t.back_to_clients}}</a></p>
        <h1>{{client.name}}</h1>
        <dl class="facts">
          <dt>{{t.tier}}</dt><dd>{{client.tier}}</dd>
          <dt>{{t.stage}}</dt><dd>{{client.stage}}</dd>
          <dt>{{t.csm}}</dt><dd>{{client.csm}}</dd>
          <dt>{{t.contacts}}</dt><dd>{{#client.contacts}}{{line}}{{#blocked}}<br><span class="badge blocked">{{t.not_sent_to}}</span> {{address}} · {{scope}} · {{why}}{{/blocked}}<br>{{/client.contacts}}</dd>
        </dl>
        <h2>{{t.timeline}}</h2>
        {{^messages}}<p>{{t.no_messages}}</p>{{/messages}}
        {{#messages}}
        <article class="message{{#unopened}} unopened{{/unopened}}" id="m-{{id}}" aria-labelledby="h-{{id}}" data-message="{{id}}">
          <h3 id="h-{{id}}">{{title}}</h3>
          <p class="meta"><time datetime="{{created.iso}}">{{created.text}}</time> · {{t.priority}}: {{priority}}{{#unopened}} · <span class="badge">{{t.unopened}}</span>{{/unopened}}{{#resends}} · {{t.resent_times}}: {{resends}}{{/resends}}</p>
          <div class="table-wrap">
          <table class="cards deliveries">
            <thead><tr><th scope="col">{{t.channel}}</th><th scope="col">{{t.to}}</th><th scope="col">{{t.state}}</th><th scope="col">{{t.opened_at}}</th><th scope="col">{{t.clicked_at}}</th></tr></thead>
            <tbody>
            {{#deliveries}}
              <tr data-delivery="{{id}}" data-state="{{state}}">
                <td data-label="{{t.channel}}">{{channel}}{{#resend}} <span class="badge">{{t.is_resend}}</span>{{/resend}}</td>
                <td data-label="{{t.to}}">{{destination}}</td>
                <td data-label="{{t.state}}"><span class="state state-{{state}}">{{state}}</span>{{#why}}<br><small class="why">{{why}}</small>{{/why}}</td>
                <td data-label="{{t.opened_at}}">{{#opened}}<time datetime="{{iso}}">{{text}}</time>{{/opened}}</td>
                <td data-label="{{t.clicked_at}}">{{#clicked}}<time datetime="{{iso}}">{{text}}</time>{{/clicked}}</td>
              </tr>
            {{/deliveries}}
            </tbody>
          </table>
          </div>
          {{#tasks}}<p>{{t.call_task}}: <span class="state">{{status}}</span>{{#outcome}} — {{outcome}}{{/outcome}} · <a href="/dashboard/tasks/{{id}}">{{t.see_task}}</a></p>{{/tasks}}
          {{#can_resend}}<p class="actions"><a class="button" href="/dashboard/messages/{{id}}/resend" id="resend-{{id}}">{{t.resend}}<span class="sr"> {{title}}</span></a></p>{{/can_resend}}
        </article>
        {{/messages}}
        {{#next_url}}<p><a href="{{next_url}}">{{t.older}}</a></p>{{/next_url}}
        {{#csv_url}}<p><a href="{{csv_url}}" id="messages-csv" download>{{t.download_messages_csv}}</a></p>{{/csv_url}}
        """
}
