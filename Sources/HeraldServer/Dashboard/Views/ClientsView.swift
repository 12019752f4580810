/// `/dashboard/clients`: the CSM's clients with tier, stage, last contact and unopened messages.
enum ClientsView {
    static let template = """
        <h1>{{heading}}</h1>
        <form method="get" action="/dashboard/clients" class="filters" aria-label="{{t.filter}}">
          <div class="field"><label for="f-search">{{t.search}}</label>
            <input id="f-search" name="search" type="search" value="{{filter_search}}" maxlength="100" size="24"
              aria-describedby="f-search-hint">
            <small id="f-search-hint">{{t.search_hint}}</small></div>
          <div class="field"><label for="f-csm">{{t.csm}}</label>
            <input id="f-csm" name="csm" value="{{filter_csm}}" aria-describedby="f-csm-hint" size="28">
            <small id="f-csm-hint">{{t.csm_hint}}</small></div>
          <div class="field"><label for="f-tier">{{t.tier}}</label>
            <select id="f-tier" name="tier"><option value="">{{t.any}}</option>{{#tiers}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/tiers}}</select></div>
          <div class="field"><label for="f-stage">{{t.stage}}</label>
            <input id="f-stage" name="stage" value="{{filter_stage}}" size="14"></div>
          <button type="submit">{{t.filter}}</button>
        </form>
        {{#has_clients}}
        <p class="meta" id="clients-order">{{order}}</p>
        <div class="table-wrap">
        <table class="cards" id="clients">
          <thead><tr>
            <th scope="col">{{t.client}}</th><th scope="col">{{t.tier}}</th><th scope="col">{{t.stage}}</th>
            <th scope="col">{{t.csm}}</th><th scope="col">{{t.last_contact}}</th><th scope="col" class="num">{{t.unopened_important}}</th>
          </tr></thead>
          <tbody>
          {{#clients}}
            <tr{{#attention}} class="attention"{{/attention}} data-client="{{id}}">
              <td data-label="{{t.client}}"><a href="/dashboard/clients/{{id}}">{{name}}</a></td>
              <td data-label="{{t.tier}}">{{tier}}</td>
              <td data-label="{{t.stage}}">{{stage}}</td>
              <td data-label="{{t.csm}}">{{csm}}</td>
              <td data-label="{{t.last_contact}}">{{#last_contact}}<time datetime="{{iso}}">{{text}}</time>{{/last_contact}}{{^last_contact}}{{t.never}}{{/last_contact}}</td>
              <td data-label="{{t.unopened_important}}" class="num">{{unopened}}{{#attention}} <span class="badge">{{important}}</span>{{/attention}}</td>
            </tr>
          {{/clients}}
          </tbody>
        </table>
        </div>
        {{/has_clients}}
        {{^has_clients}}<p>{{t.no_clients}}{{#search_everyone_url}} <a href="{{search_everyone_url}}" id="search-everyone">{{t.search_everyone}}</a>{{/search_everyone_url}}</p>{{/has_clients}}
        {{#previous_url}}<p><a href="{{previous_url}}" id="previous-clients">{{t.previous_page}}</a></p>{{/previous_url}}
        {{#next_url}}<p><a href="{{next_url}}" id="more-clients">{{t.next_page}}</a></p>{{/next_url}}
        """
}
