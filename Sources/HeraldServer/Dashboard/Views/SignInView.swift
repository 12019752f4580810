/// `/dashboard/sign-in`: one labelled field for the API token.
enum SignInView {
    static let template = """
        <h1>{{t.sign_in}}</h1>
        <p>{{t.sign_in_intro}}</p>
        {{#failed}}<p class="error" role="alert" id="sign-in-error">{{t.sign_in_failed}}</p>{{/failed}}
        {{#expired}}<p class="error" role="alert" id="sign-in-error">{{expired}}</p>{{/expired}}
        <form method="post" action="/dashboard/sign-in">
          <input type="hidden" name="_csrf" value="{{csrf}}">
          {{#next}}<input type="hidden" name="next" value="{{next}}">{{/next}}
          <div class="field">
            <label for="token">{{t.api_token}}</label>
            <input type="password" id="token" name="token" autocomplete="current-password" required size="48" spellcheck="false">
          </div>
          <div class="actions"><button type="submit" id="sign-in">{{t.sign_in}}</button></div>
        </form>
        """
}
