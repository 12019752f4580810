/// `/dashboard/stats`: open and click rates by template, tier and locale, with a server-side chart.
enum StatsView {
    static let template = """
        <h1>{{t.template_stats}}</h1>
        <p>{{t.stats_intro}}</p>
        <form method="get" action="/dashboard/stats" class="filters">
          <div class="field"><label for="s-since">{{t.period}}</label>
            <select id="s-since" name="since">{{#periods}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/periods}}</select></div>
          <button type="submit">{{t.show}}</button>
        </form>
        {{^rows}}<p>{{t.no_stats}}</p>{{/rows}}
        {{#has_chart}}<figure class="chart">{{{chart}}}</figure>{{/has_chart}}
        {{#has_rows}}
        <div class="table-wrap">
        <table class="cards" id="stats">
          <thead><tr><th scope="col">{{t.template}}</th><th scope="col">{{t.tier}}</th><th scope="col">{{t.locale}}</th><th scope="col">{{t.channel}}</th>
            <th scope="col" class="num">{{t.sent}}</th><th scope="col" class="num">{{t.opened}}</th><th scope="col" class="num">{{t.clicked}}</th>
            <th scope="col" class="num">{{t.open_rate}}</th><th scope="col" class="num">{{t.click_rate}}</th></tr></thead>
          <tbody>{{#rows}}<tr>
            <td data-label="{{t.template}}">{{template}}</td><td data-label="{{t.tier}}">{{tier}}</td><td data-label="{{t.locale}}">{{locale}}</td><td data-label="{{t.channel}}">{{channel}}</td>
            <td data-label="{{t.sent}}" class="num">{{sent}}</td><td data-label="{{t.opened}}" class="num">{{opened}}</td><td data-label="{{t.clicked}}" class="num">{{clicked}}</td>
            <td data-label="{{t.open_rate}}" class="num">{{open_rate}}</td><td data-label="{{t.click_rate}}" class="num">{{click_rate}}</td>
          </tr>{{/rows}}</tbody>
        </table>
        </div>
        <p><a href="{{csv_url}}" id="stats-csv" download>{{t.download_csv}}</a></p>
        {{/has_rows}}
        """
}
