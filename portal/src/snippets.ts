/*
 * The receiving guide's code: a receiver that checks the signature before it trusts the body, with
 * hookspec on Node and with the Standard Webhooks libraries elsewhere (the same scheme: `standardwebhooks`
 * on npm and PyPI, the Go module in github.com/standard-webhooks/standard-webhooks). Each strips the
 * `whsec_` prefix itself, so the secret is pasted as shown.
 */

export interface Snippet {
  readonly id: string;
  readonly language: string;
  readonly install: string;
  readonly code: string;
}

export const SNIPPETS: readonly Snippet[] = [
  {
    id: 'node-hookspec',
    language: 'Node.js (hookspec)',
    install: 'npm install hookspec express',
    code: `const express = require('express');
const { verifyWebhook } = require('hookspec');

const secret = process.env.WEBHOOK_SECRET; // whsec_…
const app = express();

// The signature covers the exact bytes sent: read the raw body, and parse it only by verifying.
app.post('/webhooks', express.raw({ type: 'application/json' }), (req, res) => {
  let event;
  try {
    event = verifyWebhook(req.body, req.headers, secret);
  } catch (error) {
    return res.status(400).send('invalid signature');
  }
  // A webhook may arrive twice: skip a webhook-id you have handled already.
  console.log(req.headers['webhook-id'], event);
  res.sendStatus(204);
});

app.listen(3000);`,
  },
  {
    id: 'node-standardwebhooks',
    language: 'Node.js (standardwebhooks)',
    install: 'npm install standardwebhooks express',
    code: `const express = require('express');
const { Webhook } = require('standardwebhooks');

const wh = new Webhook(process.env.WEBHOOK_SECRET); // whsec_…
const app = express();

app.post('/webhooks', express.raw({ type: 'application/json' }), (req, res) => {
  let event;
  try {
    event = wh.verify(req.body, req.headers);
  } catch (error) {
    return res.status(400).send('invalid signature');
  }
  console.log(req.headers['webhook-id'], event);
  res.sendStatus(204);
});

app.listen(3000);`,
  },
  {
    id: 'python',
    language: 'Python (standardwebhooks)',
    install: 'pip install standardwebhooks flask',
    code: `import os
from flask import Flask, request
from standardwebhooks.webhooks import Webhook

app = Flask(__name__)
wh = Webhook(os.environ["WEBHOOK_SECRET"])  # whsec_…

@app.post("/webhooks")
def receive():
    try:
        # The raw bytes, exactly as sent: the signature covers them.
        event = wh.verify(request.get_data(), dict(request.headers))
    except Exception:
        return "invalid signature", 400
    # A webhook may arrive twice: skip a webhook-id you have handled already.
    print(request.headers["webhook-id"], event)
    return "", 204`,
  },
  {
    id: 'go',
    language: 'Go (standard-webhooks)',
    install: 'go get github.com/standard-webhooks/standard-webhooks/libraries',
    code: `package main

import (
	"io"
	"log"
	"net/http"
	"os"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

func main() {
	wh, err := standardwebhooks.NewWebhook(os.Getenv("WEBHOOK_SECRET")) // whsec_…
	if err != nil {
		log.Fatal(err)
	}
	http.HandleFunc("/webhooks", func(w http.ResponseWriter, r *http.Request) {
		// The raw bytes, exactly as sent: the signature covers them.
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil || wh.Verify(body, r.Header) != nil {
			http.Error(w, "invalid signature", http.StatusBadRequest)
			return
		}
		// A webhook may arrive twice: skip a webhook-id you have handled already.
		log.Printf("%s %s", r.Header.Get("webhook-id"), body)
		w.WriteHeader(http.StatusNoContent)
	})
	log.Fatal(http.ListenAndServe(":3000", nil))
}`,
  },
];
