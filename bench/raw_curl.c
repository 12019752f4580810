/* The delivery ceiling: N threads, each with one reused libcurl easy handle, POSTing the same
   JSON body to the sink as fast as it answers. Same transport and connection reuse as Herald's
   workers, with nothing else around it.
   usage: raw_curl URL THREADS REQUESTS BODY_BYTES  → prints "<requests> <seconds> <req/s> <errors>" */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *url;
static long per_thread;
static char *body;
static long errors_total;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static size_t discard(char *p, size_t s, size_t n, void *u) { (void)p; (void)u; return s * n; }

static void *worker(void *arg) {
    (void)arg;
    CURL *h = curl_easy_init();
    struct curl_slist *headers = NULL;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:");
    long errors = 0;
    for (long i = 0; i < per_thread; i++) {
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
        long status = 0;
        if (curl_easy_perform(h) != CURLE_OK) errors++;
        else {
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
            if (status < 200 || status >= 300) errors++;
        }
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    pthread_mutex_lock(&lock);
    errors_total += errors;
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s URL THREADS REQUESTS BODY_BYTES\n", argv[0]);
        return 64;
    }
    url = argv[1];
    int threads = atoi(argv[2]);
    long requests = atol(argv[3]);
    long size = atol(argv[4]);
    per_thread = requests / threads;
    body = malloc(size + 1);
    memset(body, 'x', size);
    body[0] = '{'; body[1] = '"'; body[2] = 'a'; body[3] = '"'; body[4] = ':'; body[5] = '"';
    body[size - 2] = '"'; body[size - 1] = '}'; body[size] = 0;
    curl_global_init(CURL_GLOBAL_ALL);
    pthread_t *ids = calloc(threads, sizeof(pthread_t));
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, worker, NULL);
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double seconds = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    long done = per_thread * threads;
    printf("%ld %.3f %.1f %ld\n", done, seconds, done / seconds, errors_total);
    return errors_total == 0 ? 0 : 1;
}
