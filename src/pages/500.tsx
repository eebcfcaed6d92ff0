import { PageError } from "~/components/PageError";

// Next serves it for an error thrown while rendering on the server (getServerSideProps included);
// the stack stays in the server's log.
export default function ServerError() {
  return <PageError />;
}
