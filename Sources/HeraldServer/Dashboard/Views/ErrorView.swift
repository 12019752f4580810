/// Any refused or failed dashboard request, as a page (the API answers problem+json instead).
enum ErrorView {
    static let template = """
        <h1>{{heading}}</h1>
        <p class="error" role="alert" id="error-detail">{{detail}}</p>
        {{#has_fields}}<ul>{{#fields}}<li><strong>{{name}}</strong>: {{reason}}</li>{{/fields}}</ul>{{/has_fields}}
        <p><a href="/dashboard/clients">{{t.back_to_clients}}</a></p>
        """
}
