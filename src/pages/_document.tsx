import Document, { Head, Html, Main, NextScript, type DocumentContext, type DocumentInitialProps } from "next/document";
import { NONCE_HEADER } from "~/server/platform/security-headers";

interface DocumentProps extends DocumentInitialProps {
  nonce?: string;
}

// Next's scripts carry the CSP nonce the proxy put in the request (src/server/platform/security-headers.ts).
// Every page is rendered per request (see App.getInitialProps), so each has a request, and its nonce.
export default class AppDocument extends Document<DocumentProps> {
  static async getInitialProps(context: DocumentContext): Promise<DocumentProps> {
    const initialProps = await Document.getInitialProps(context);
    const nonce = context.req?.headers[NONCE_HEADER];
    return { ...initialProps, ...(typeof nonce === "string" && { nonce }) };
  }

  render() {
    const { nonce } = this.props;
    return (
      <Html lang="en">
        <Head nonce={nonce}>
          <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        </Head>
        <body>
          <Main />
          <NextScript nonce={nonce} />
        </body>
      </Html>
    );
  }
}
