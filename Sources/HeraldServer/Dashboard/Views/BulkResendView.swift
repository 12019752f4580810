/// `/dashboard/resend`: "resend all unopened welcome emails older than 48 h for my strategic
/// clients" — a filter, a preview with the count, then one confirmed POST.
enum BulkResendView {
    static let template = """
        <h1>{{t.bulk_resend}}</h1>
        <p>{{t.bulk_intro}}</p>
        <form method="get" action="/dashboard/resend" class="filters">
          <div class="field"><label for="b-template">{{t.template}}</label>
            <select id="b-template" name="template"><option value="">{{t.any}}</option>{{#templates}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/templates}}</select></div>
          <div class="field"><label for="b-tier">{{t.tier}}</label>
            <select id="b-tier" name="tier"><option value="">{{t.any}}</option>{{#tiers}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/tiers}}</select></div>
          <div class="field"><label for="b-age">{{t.unopened_for}}</label>
            <select id="b-age" name="unopened_for">{{#ages}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/ages}}</select></div>
          {{#has_csm}}<div class="field check"><input type="checkbox" id="b-mine" name="mine" value="1"{{#mine}} checked{{/mine}}> <label for="b-mine">{{t.only_mine}}</label></div>{{/has_csm}}
          <input type="hidden" name="preview" value="1">
          <button type="submit" id="preview">{{t.preview}}</button>
        </form>
        {{#preview}}
        <section aria-labelledby="preview-heading">
          <h2 id="preview-heading">{{t.preview}}</h2>
          <p id="preview-count"><strong>{{count_text}}</strong></p>
          {{#has_plans}}
          <div class="table-wrap">
          <table class="cards">
            <thead><tr><th scope="col">{{t.client}}</th><th scope="col">{{t.message}}</th><th scope="col">{{t.created}}</th><th scope="col">{{t.to}}</th></tr></thead>
            <tbody>{{#plans}}<tr><td data-label="{{t.client}}">{{client}}</td><td data-label="{{t.message}}">{{title}}</td><td data-label="{{t.created}}">{{created}}</td><td data-label="{{t.to}}">{{targets}}</td></tr>{{/plans}}</tbody>
          </table>
          </div>
          <form method="post" action="/dashboard/resend">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <input type="hidden" name="template" value="{{template}}">
            <input type="hidden" name="tier" value="{{tier}}">
            <input type="hidden" name="unopened_for" value="{{unopened_for}}">
            <input type="hidden" name="mine" value="{{mine_value}}">
            <div class="actions"><button type="submit" id="confirm-bulk">{{confirm_text}}</button></div>
          </form>
          {{/has_plans}}
          {{^has_plans}}<p>{{t.nothing_to_resend}}</p>{{/has_plans}}
          {{#has_skipped}}
          <details><summary>{{t.skipped}}</summary><ul>{{#skipped}}<li>{{message}}: {{reason}}</li>{{/skipped}}</ul></details>
          {{/has_skipped}}
        </section>
        {{/preview}}
        """
}
