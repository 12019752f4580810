/* The multi-interface variant of raw_curl.c: ONE thread drives C concurrent transfers through
   curl_multi (each easy handle reused, so each keeps its connection), POSTing the same body to the
   sink. Not a ceiling of scripts/bench (that is raw_curl.c, the design Herald's workers use); it
   measures what a single-threaded multi loop would save (BENCHMARKS.md, session 12).
   usage: raw_multi URL CONCURRENCY REQUESTS BODY_BYTES  → prints "<requests> <seconds> <req/s> <errors>" */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
static size_t discard(char *p, size_t s, size_t n, void *u) { (void)p; (void)u; return s * n; }
int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s URL CONCURRENCY REQUESTS BODY_BYTES\n", argv[0]);
        return 64;
    }
    const char *url = argv[1]; int conc = atoi(argv[2]); long total = atol(argv[3]); long size = atol(argv[4]);
    char *body = malloc(size + 1);
    memset(body, 'x', size);  /* the same {"a":"xxx…"} body as raw_curl.c */
    body[0] = '{'; body[1] = '"'; body[2] = 'a'; body[3] = '"'; body[4] = ':'; body[5] = '"';
    body[size - 2] = '"'; body[size - 1] = '}'; body[size] = 0;
    curl_global_init(CURL_GLOBAL_ALL);
    CURLM *m = curl_multi_init();
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:");
    CURL **h = calloc(conc, sizeof(CURL *));
    long started = 0, done = 0, errors = 0;
    struct timespec a, b; clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < conc; i++) {
        h[i] = curl_easy_init();
        curl_easy_setopt(h[i], CURLOPT_URL, url);
        curl_easy_setopt(h[i], CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h[i], CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(h[i], CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h[i], CURLOPT_POSTFIELDSIZE, size);
        curl_easy_setopt(h[i], CURLOPT_WRITEFUNCTION, discard);
        curl_multi_add_handle(m, h[i]); started++;
    }
    while (done < total) {
        int running = 0;
        curl_multi_perform(m, &running);
        CURLMsg *msg; int left;
        while ((msg = curl_multi_info_read(m, &left))) {
            if (msg->msg != CURLMSG_DONE) continue;
            CURL *e = msg->easy_handle; long status = 0;
            if (msg->data.result != CURLE_OK) errors++;
            else { curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status); if (status < 200 || status >= 300) errors++; }
            done++;
            curl_multi_remove_handle(m, e);
            if (started < total) { curl_multi_add_handle(m, e); started++; }
        }
        if (done < total) curl_multi_poll(m, NULL, 0, 1000, NULL);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    printf("%ld %.3f %.1f %ld\n", done, s, done / s, errors);
    for (int i = 0; i < conc; i++) curl_easy_cleanup(h[i]);
    curl_multi_cleanup(m);
    curl_slist_free_all(headers);
    return errors == 0 ? 0 : 1;
}
