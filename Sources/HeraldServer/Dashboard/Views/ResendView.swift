/// `/dashboard/messages/{id}/resend`: confirmation with channel choice and what would be sent.
enum ResendView {
    static let template = """
        <p><a href="/dashboard/clients/{{client_id}}">{{client_name}}</a></p>
        <h1>{{t.resend_title}}</h1>
        <p><strong>{{title}}</strong> · <time datetime="{{created.iso}}">{{created.text}}</time></p>
        {{#refusal}}<p class="error" role="alert" id="resend-refusal">{{t.resend_refused}} {{refusal}}</p>{{/refusal}}
        <p id="preview-on">{{t.preview_on}} {{#channels}}<span class="sep"><a href="{{url}}"{{#checked}} aria-current="page"{{/checked}}>{{label}}</a></span>{{/channels}}</p>
        {{#has_items}}
        <p>{{t.will_send}}</p>
        <ul id="resend-plan">{{#items}}<li>{{channel}} → {{destination}}{{#held}} ({{t.held_until}} {{held}}){{/held}}</li>{{/items}}</ul>
        {{/has_items}}
        <form method="post" action="/dashboard/messages/{{id}}/resend">
          <input type="hidden" name="_csrf" value="{{csrf}}">
          <fieldset>
            <legend>{{t.channel}}</legend>
            {{#channels}}
            <div class="choice"><input type="radio" id="channel-{{key}}" name="channel" value="{{value}}"{{#checked}} checked{{/checked}}><label for="channel-{{key}}">{{label}}</label></div>
            {{/channels}}
          </fieldset>
          <div class="field"><label for="reason">{{t.reason}}</label><textarea id="reason" name="reason" maxlength="500"></textarea></div>
          <div class="actions">
            <button type="submit" id="confirm-resend">{{t.resend_now}}</button>
            <a class="button secondary" href="/dashboard/clients/{{client_id}}">{{t.cancel}}</a>
          </div>
        </form>
        """
}
