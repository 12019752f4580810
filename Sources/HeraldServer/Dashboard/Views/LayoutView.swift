/// The frame of every dashboard page: skip link, header with navigation, language switch and
/// sign-out, the page's content, and the style sheet (inline: one response per page, no assets).
enum LayoutView {
    static let template = """
        <!DOCTYPE html>
        <html lang="{{lang}}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Herald</title>
        <style>\(css)</style>
        </head>
        <body>
        <a class="skip" href="#main">{{t.skip}}</a>
        <header class="top">
          <span class="brand">Herald</span>
          {{#signed_in}}
          <nav aria-label="{{t.nav}}"><ul>
            <li><a href="/dashboard/clients"{{#nav_clients}} aria-current="page"{{/nav_clients}}>{{t.my_clients}}</a></li>
            <li><a href="/dashboard/tasks"{{#nav_tasks}} aria-current="page"{{/nav_tasks}}>{{t.my_tasks}}</a>{{#calls_label}} <span class="badge" id="calls-count">{{calls_label}}</span>{{/calls_label}}</li>
            <li><a href="/dashboard/resend"{{#nav_resend}} aria-current="page"{{/nav_resend}}>{{t.bulk_resend}}</a></li>
            <li><a href="/dashboard/stats"{{#nav_stats}} aria-current="page"{{/nav_stats}}>{{t.template_stats}}</a></li>
          </ul></nav>
          {{/signed_in}}
          <div class="tools">
            <a href="{{switch_url}}" lang="{{other_lang}}" hreflang="{{other_lang}}" id="language-switch">{{other_lang_name}}</a>
            {{#signed_in}}
            <span class="me"><span class="sr">{{t.signed_in_as}} </span>{{me}}</span>
            <form method="post" action="/dashboard/sign-out" class="inline">
              <input type="hidden" name="_csrf" value="{{csrf}}">
              <button type="submit" class="link" id="sign-out">{{t.sign_out}}</button>
            </form>
            {{/signed_in}}
          </div>
        </header>
        <main id="main" tabindex="-1">
        {{#expiry_warning}}<p class="warning" role="status" id="token-expiry">{{expiry_warning}}</p>{{/expiry_warning}}
        {{#notice}}<p class="notice" role="status" id="notice">{{notice}}</p>{{/notice}}
        {{{content}}}
        </main>
        </body>
        </html>
        """

    static let css = """
        :root{--fg:#1d2430;--muted:#556070;--line:#d5dbe3;--accent:#0b57d0;--warn:#a50e0e;--ok:#0d652d;--soft:#f3f5f8}
        *{box-sizing:border-box}
        body{margin:0;font:16px/1.5 -apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC",Roboto,Arial,sans-serif;color:var(--fg);background:#fff}
        a{color:var(--accent)}
        :focus-visible{outline:3px solid #e37400;outline-offset:2px}
        .skip{position:absolute;left:-9999px;top:8px}.skip:focus{left:8px;background:#fff;padding:8px;z-index:10}
        header.top{display:flex;flex-wrap:wrap;align-items:center;gap:8px 20px;padding:10px 20px;border-bottom:1px solid var(--line);background:var(--soft)}
        .brand{font-weight:700;font-size:18px}
        nav ul{display:flex;flex-wrap:wrap;gap:4px 16px;list-style:none;margin:0;padding:0}
        nav a{display:inline-block;padding:6px 0}
        nav a[aria-current]{font-weight:700}
        .tools{margin-left:auto;display:flex;gap:12px;align-items:center;flex-wrap:wrap}
        .me{color:var(--muted)}
        form.inline{display:inline;margin:0}
        main{max-width:1100px;margin:0 auto;padding:16px 20px 48px}
        main:focus{outline:none}
        h1{font-size:26px;margin:8px 0 12px}h2{font-size:20px;margin:20px 0 8px}h3{font-size:17px;margin:0 0 4px}
        .table-wrap{overflow-x:auto}
        table{border-collapse:collapse;width:100%;margin:8px 0}
        th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
        th{font-size:14px;color:var(--muted)}
        td.num,th.num{text-align:right}
        .button,button{display:inline-block;font:inherit;padding:8px 16px;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:#fff;text-decoration:none;cursor:pointer;min-height:44px;line-height:26px}
        .button.secondary{background:#fff;color:var(--accent)}
        button.link{background:none;border:none;color:var(--accent);padding:0;min-height:0;text-decoration:underline;line-height:inherit}
        form.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-end;margin:12px 0;padding:12px;background:var(--soft);border-radius:8px}
        .field{display:flex;flex-direction:column;gap:2px}
        label,legend{font-weight:600;font-size:14px}
        .check label{display:inline;font-weight:400;font-size:16px}
        input,select,textarea{font:inherit;padding:6px 8px;border:1px solid #7d8796;border-radius:4px;min-height:40px;max-width:100%;background:#fff}
        textarea{width:100%;min-height:70px}
        fieldset{border:1px solid var(--line);border-radius:6px;margin:8px 0;padding:8px 12px}
        .choice{display:flex;gap:8px;align-items:center;min-height:36px}
        .choice label{font-weight:400;font-size:16px}
        .state{display:inline-block;padding:0 8px;border-radius:10px;background:var(--soft);font-size:14px;white-space:nowrap}
        .state-opened,.state-clicked,.state-delivered{background:#e6f4ea;color:var(--ok)}
        .state-failed,.state-dead,.state-bounced,.state-expired{background:#fce8e6;color:var(--warn)}
        .badge{display:inline-block;padding:0 8px;border-radius:10px;font-size:13px;background:#fde293;color:#3c2a00}
        .sep + .sep::before{content:" · "}
        tr.attention td{background:#fff8e1}
        article.message,article.task{border:1px solid var(--line);border-radius:8px;padding:12px 16px;margin:12px 0}
        article.unopened{border-left:5px solid #e37400}
        .notice{background:#e6f4ea;padding:8px 12px;border-radius:6px}
        .warning{background:#fef7e0;border:1px solid #f9ab00;padding:8px 12px;border-radius:6px}
        .error{background:#fce8e6;color:var(--warn);padding:8px 12px;border-radius:6px}
        .meta{color:var(--muted);font-size:14px;margin:0 0 8px}
        .pre{white-space:pre-wrap}
        dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:8px 0 16px}
        dl.facts dt{font-weight:600;color:var(--muted)}dl.facts dd{margin:0}
        .actions{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin-top:12px}
        .chart{max-width:760px}
        .chart svg{width:100%;height:auto}
        .sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
        @media (max-width:640px){
        header.top{padding:8px 12px}main{padding:12px}
        .tools{margin-left:0}
        table.cards thead{position:absolute;left:-9999px}
        table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
        table.cards tr{border:1px solid var(--line);border-radius:8px;margin:8px 0;padding:4px 10px}
        table.cards td{display:flex;gap:8px;border:none;padding:3px 0;text-align:left}
        table.cards td::before{content:attr(data-label);font-weight:600;color:var(--muted);min-width:42%;flex-shrink:0}
        form.filters{flex-direction:column;align-items:stretch}
        }
        """
}
